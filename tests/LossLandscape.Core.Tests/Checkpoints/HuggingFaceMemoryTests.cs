using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using Xunit.Abstractions;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>Tests that measure this process's peak memory: run alone, after every parallel test, so nothing else allocates meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "Memory measurement";
}

/// <summary>
/// Importing a Hugging Face folder streams the weights into the model: the import's peak resident
/// memory is the model's float32 parameters and a few chunk buffers, never a copy of the files.
/// The folders are made here from seeded random values (a GPT-2 of 4 blocks, width 1024 and
/// GPT-2's vocabulary: 102.9 M parameters, 412 MB as F32, 206 MB as BF16, in two shards whose first
/// holds the 206 MB wte alone), so nothing large is committed.
/// </summary>
[Collection(MemoryMeasurement.Name)]
public sealed partial class HuggingFaceMemoryTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// What the import may take beyond 1.1 × the float32 parameters: its 1 MB byte and 2 MB float
    /// chunk buffers, the hash buffer, the plan and header strings, code compiled on first use, and
    /// libtorch's and glibc's bookkeeping for the model's ~30 tensors (their allocations are rounded
    /// to pages and arenas). Measured: about 10 MB beyond the parameters.
    /// </summary>
    private const long MarginBytes = 64L << 20;

    private const int Layers = 4, Heads = 16, Width = 1024, Vocabulary = 50257, Positions = 1024;

    private readonly string temp = Directory.CreateTempSubdirectory("losslandscape-hf-memory-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    public void ImportingATwoShardFolderPeaksAtTheModelsFloat32SizeNotTheFilesTwice(string dtype)
    {
        var clock = Stopwatch.StartNew();
        var folder = WriteFolder(dtype);
        var written = clock.Elapsed;
        var runtime = LandscapeRuntime.Load();
        var float32Bytes = 4 * HuggingFaceConfig.ParameterCount(Vocabulary, Positions, Layers, Width);
        var fileBytes = Directory.GetFiles(folder, "*.safetensors").Sum(f => new FileInfo(f).Length);

        var baseline = ResetPeak();
        var info = CheckpointImporter.Read(runtime, folder);
        using (var model = CheckpointStore.LoadModel(runtime, info))
        {
            var peak = Status("VmHWM");
            var limit = baseline + (long)(1.1 * float32Bytes) + MarginBytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{dtype}: files {fileBytes / 1e6:F1} MB, float32 parameters {float32Bytes / 1e6:F1} MB; peak {(peak - baseline) / 1e6:F1} MB above the baseline {baseline / 1e6:F1} MB, limit {(limit - baseline) / 1e6:F1} MB; written in {written.TotalSeconds:F1} s, imported in {(clock.Elapsed - written).TotalSeconds:F1} s"));

            Assert.Equal(HuggingFaceConfig.ParameterCount(Vocabulary, Positions, Layers, Width), info.ParameterCount);
            Assert.True(peak <= limit, $"peak {peak} > limit {limit}");
            // The values arrived: the last chunk of the last tensor of the second shard is the file's.
            using var lastBias = model.named_parameters().Single(p => p.name == "ln_f.bias").parameter.detach();
            Assert.Equal(ExpectedValue(dtype, ValueIndexOf("ln_f.bias") + Width - 1), lastBias[Width - 1].item<float>());
        }
    }

    /// <summary>
    /// Gives back what earlier tests freed (the managed heap, and glibc's arenas, which keep freed
    /// blocks below its mmap threshold and would let a later import reuse them unseen), then resets
    /// this process's peak resident size to its current one (Linux 4.0+) and returns it.
    /// </summary>
    private static long ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        MallocTrim(0);
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Status("VmRSS");
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint keep);

    private static long Status(string field) =>
        long.Parse(File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static IReadOnlyList<(string Name, long[] Shape)> Parameters() =>
        GptLayout.Parameters(ModelZoo.DefaultSpec(nameof(Gpt)) with
        {
            ClassCount = Vocabulary, LayerCount = Layers, HeadCount = Heads, EmbeddingWidth = Width, ContextLength = Positions,
        });

    private static long ValueIndexOf(string name) =>
        Parameters().TakeWhile(p => p.Name != name).Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>The value at a position of the concatenated parameters: a hash of the position, uniform in [−0.125, 0.125).</summary>
    private static float ExpectedValue(string dtype, long index)
    {
        var bits = (ulong)index * 0x9E3779B97F4A7C15UL;
        bits ^= bits >> 29;
        var value = ((uint)(bits >> 40) / (float)(1 << 24) - 0.5f) / 4;
        // bfloat16 keeps the upper 16 bits: the writer truncates, so the reader's value is this one.
        return dtype == "F32" ? value : BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) & unchecked((int)0xFFFF0000));
    }

    private string WriteFolder(string dtype)
    {
        var folder = Path.Combine(temp, dtype);
        Directory.CreateDirectory(folder);
        var config = new JsonObject
        {
            ["model_type"] = "gpt2", ["n_layer"] = Layers, ["n_head"] = Heads, ["n_embd"] = Width, ["vocab_size"] = Vocabulary,
            ["n_positions"] = Positions, ["n_inner"] = null, ["activation_function"] = "gelu_new", ["layer_norm_epsilon"] = 1e-5,
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        var parameters = Parameters();
        var shards = new[] { parameters.Take(2).ToArray(), parameters.Skip(2).ToArray() };
        var weightMap = new JsonObject();
        var index = 0L;
        for (var s = 0; s < shards.Length; s++)
        {
            var file = $"model-{s + 1:D5}-of-{shards.Length:D5}.safetensors";
            foreach (var (name, _) in shards[s]) weightMap[name] = file;
            index = WriteShard(Path.Combine(folder, file), shards[s], dtype, index);
        }
        File.WriteAllText(Path.Combine(folder, HuggingFaceCheckpoint.IndexFileName), new JsonObject { ["weight_map"] = weightMap }.ToJsonString());
        return folder;
    }

    /// <summary>Writes one shard a chunk at a time (the test holds no tensor whole either); returns the next value index.</summary>
    private static long WriteShard(string path, IReadOnlyList<(string Name, long[] Shape)> tensors, string dtype, long index)
    {
        var elementSize = dtype == "F32" ? 4 : 2;
        var header = new JsonObject();
        var offset = 0L;
        foreach (var (name, shape) in tensors)
        {
            var bytes = shape.Aggregate(1L, (a, b) => a * b) * elementSize;
            header[name] = new JsonObject { ["dtype"] = dtype, ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()), ["data_offsets"] = new JsonArray(offset, offset + bytes) };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions()));
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        var buffer = new byte[1 << 20];
        var total = offset / elementSize;
        for (var done = 0L; done < total;)
        {
            var count = (int)Math.Min(total - done, buffer.Length / elementSize);
            for (var i = 0; i < count; i++)
            {
                var bits = BitConverter.SingleToUInt32Bits(ExpectedValue("F32", index + done + i));
                if (elementSize == 4) BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4 * i), bits);
                else BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * i), (ushort)(bits >> 16));
            }
            stream.Write(buffer, 0, count * elementSize);
            done += count;
        }
        return index + total;
    }
}
