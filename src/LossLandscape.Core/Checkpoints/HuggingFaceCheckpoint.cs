using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// A Hugging Face GPT-2 folder: <c>config.json</c> (the shape, <see cref="HuggingFaceConfig"/>) and the
/// weights as <c>model.safetensors</c> or as shards listed by <c>model.safetensors.index.json</c>.
/// Names may carry the <c>transformer.</c> prefix of <c>GPT2LMHeadModel</c>; an <c>lm_head.weight</c> must
/// be <c>wte.weight</c> bit for bit (the tie); the <c>h.N.attn.bias</c> / <c>masked_bias</c> buffers of
/// older files (a causal mask and a constant) are skipped. Every shard's header is checked against the
/// shape the config gives before a weight byte is read, and weights are streamed tensor by tensor, a
/// chunk at a time, into the model's float32 parameters: no file is ever held in memory whole.
/// </summary>
public static partial class HuggingFaceCheckpoint
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The index of a GPT-2 XL is 26 KB; the largest index accepted.</summary>
    public const long MaxIndexBytes = 16L << 20;

    /// <summary>The most shard files an index may name.</summary>
    public const int MaxShardCount = 1024;

    private const string Prefix = "transformer.";
    private const string HeadName = "lm_head.weight";
    private const string EmbeddingName = "wte.weight";

    // Bytes read from a file at a time: the only buffer besides the model itself.
    private const int ChunkBytes = 1 << 20;

    /// <summary>The folder <paramref name="fullPath"/> names as a Hugging Face checkpoint (the folder holding config.json, or that file), or null.</summary>
    public static string? FolderOf(string fullPath)
    {
        if (Directory.Exists(fullPath)) return File.Exists(Path.Combine(fullPath, HuggingFaceConfig.FileName)) ? fullPath : null;
        if (!string.Equals(Path.GetFileName(fullPath), HuggingFaceConfig.FileName, StringComparison.Ordinal)) return null;
        // Our own checkpoint named 'config' has its side file config.json beside config.dat.
        var folder = Path.GetDirectoryName(fullPath)!;
        return File.Exists(Path.Combine(folder, "config" + CheckpointStore.StateExtension)) ? null : folder;
    }

    /// <summary>Checks the folder (config, index, every shard's header, the tie) and scans every weight for NaN and ±∞.</summary>
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(string folder)
    {
        var configPath = Path.Combine(folder, HuggingFaceConfig.FileName);
        var spec = HuggingFaceConfig.Read(configPath);
        var parameters = GptLayout.Parameters(spec);
        var plan = Plan(folder, parameters);
        var nonFinite = new Dictionary<string, long>(StringComparer.Ordinal);
        ForEachChunk(plan, (tensor, values, _) =>
        {
            var count = 0L;
            foreach (var value in values) if (!float.IsFinite(value)) count++;
            nonFinite[tensor.Name] = nonFinite.GetValueOrDefault(tensor.Name) + count;
        });

        var tensors = plan.Tensors.Select(t => new StateTensorInfo(t.Name, DTypeName(t.Entry.DType), t.Entry.Shape) { NonFiniteCount = nonFinite.GetValueOrDefault(t.Name) }).ToArray();
        var metadata = new CheckpointMetadata
        {
            Model = spec,
            StateFile = plan.IndexFile ?? SingleFileName,
            StateSha256 = Sha256(folder),
        };
        return new CheckpointInfo(folder, configPath, metadata, tensors, LayerSummary.From(tensors, parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal)), HuggingFaceConfig.ParameterCount(spec))
        {
            Format = CheckpointFormat.HuggingFace,
            Conversions = plan.Tensors.Where(t => t.Entry.DType != TensorDType.Float32)
                .Select(t => $"'{t.Name}' is {DTypeName(t.Entry.DType)} in the file and becomes float32").ToArray(),
        };
    }

    /// <summary>Builds the zoo's Gpt and streams the folder's weights into its parameters (eval mode).</summary>
    public static nn.Module LoadModel(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        var plan = Plan(checkpoint.StatePath, GptLayout.Parameters(checkpoint.Metadata.Model));
        var model = ModelZoo.Create(runtime, checkpoint.Metadata.Model);
        try
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
            using (no_grad())
            {
                var writers = plan.Tensors.ToDictionary(t => t.Name, t => Writer(parameters[t.Name]), StringComparer.Ordinal);
                try
                {
                    ForEachChunk(plan, (tensor, values, offset) => writers[tensor.Name].CopyFrom(values, 0, offset));
                }
                finally
                {
                    foreach (var writer in writers.Values) writer.Dispose();
                }
            }
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The folder's identity: SHA-256 over config.json, the index (if any) and every weight file, each
    /// preceded by its name and length, so renaming or moving bytes between shards changes it.
    /// </summary>
    public static string Sha256(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        Span<byte> length = stackalloc byte[8];
        var (files, index) = WeightFiles(folder);
        foreach (var name in new[] { HuggingFaceConfig.FileName }.Concat(index is null ? [] : [IndexFileName]).Concat(files))
        {
            using var stream = File.OpenRead(Path.Combine(folder, name));
            var label = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteInt64LittleEndian(length, stream.Length);
            hash.AppendData(label);
            hash.AppendData([0]);
            hash.AppendData(length);
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    internal delegate void ChunkVisitor(FolderTensor tensor, ReadOnlySpan<float> values, long elementOffset);

    /// <summary>One weight of the folder under the zoo's name, where its bytes lie.</summary>
    internal sealed record FolderTensor(string Name, string File, long DataStart, SafetensorsEntry Entry);

    /// <summary>What <see cref="Plan"/> found: the weights in file and data order, the index's name if sharded.</summary>
    internal sealed record FolderPlan(string Folder, IReadOnlyList<FolderTensor> Tensors, string? IndexFile);

    /// <summary>Every check that needs no weight byte against the parameters the config describes (<see cref="GptLayout.Parameters"/>), then the tie (which compares two tensors' bytes).</summary>
    internal static FolderPlan Plan(string folder, IReadOnlyList<(string Name, long[] Shape)> expected)
    {
        var (files, index) = WeightFiles(folder);
        // Headers are the only allocations a shard can make us do; together they may take what a file of this model's size could declare.
        var budget = ReadBudget.ForState(expected.ToDictionary(p => p.Name, p => p.Shape.Aggregate(1L, (count, size) => count * size), StringComparer.Ordinal), _ => null);
        var declared = new List<FolderTensor>();
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file);
            using var stream = OpenShard(path);
            SafetensorsHeader header;
            try
            {
                header = SafetensorsReader.ReadHeader(stream, path, budget);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' is not a readable safetensors file: {e.Message}", e);
            }
            catch (CheckpointTooLargeException e)
            {
                throw new CheckpointException(CheckpointErrorKind.TooLarge, path, $"'{path}' was refused before reading its data: {e.Message}.", e);
            }
            declared.AddRange(header.Entries.Select(entry => new FolderTensor(entry.Name, file, header.DataStart, entry)));
        }
        if (index is not null) CheckIndex(folder, index, declared);
        var tensors = Canonical(folder, declared, expected);
        var head = tensors.FirstOrDefault(t => t.Name == HeadName);
        if (head is not null)
        {
            CheckTie(folder, head, tensors.Single(t => t.Name == EmbeddingName));
            tensors.Remove(head);
        }
        return new FolderPlan(folder, tensors, index is null ? null : IndexFileName);
    }

    /// <summary>Calls <paramref name="visit"/> with each tensor's values as float32, a chunk at a time, with the element offset of the chunk.</summary>
    internal static void ForEachChunk(FolderPlan plan, ChunkVisitor visit)
    {
        var bytes = new byte[ChunkBytes];
        var values = new float[ChunkBytes / 2];
        foreach (var group in plan.Tensors.GroupBy(t => t.File))
        {
            var path = Path.Combine(plan.Folder, group.Key);
            using var stream = OpenShard(path);
            foreach (var tensor in group)
            {
                var elementSize = tensor.Entry.DType.ElementSize();
                stream.Position = tensor.DataStart + tensor.Entry.Begin;
                var offset = 0L;
                for (var remaining = tensor.Entry.ByteLength; remaining > 0;)
                {
                    var take = (int)Math.Min(remaining, ChunkBytes);
                    ReadFully(stream, bytes.AsSpan(0, take), path);
                    var count = take / elementSize;
                    Decode(bytes.AsSpan(0, take), tensor.Entry.DType, values.AsSpan(0, count));
                    visit(tensor, values.AsSpan(0, count), offset);
                    offset += count;
                    remaining -= take;
                }
            }
        }
    }

    private static TensorAccessor<float> Writer(Tensor parameter)
    {
        // Bytes go straight into the parameter's own memory, which must be one dense float32 block.
        if (parameter.dtype != ScalarType.Float32 || !parameter.is_contiguous() || parameter.device_type != TorchSharp.DeviceType.CPU)
            throw new InvalidOperationException($"The zoo's Gpt has a parameter of {parameter.dtype} on {parameter.device_type} that is not contiguous float32 on the CPU.");
        return parameter.data<float>();
    }

    /// <summary>The weight files in reading order, and the index's weight_map where the folder is sharded.</summary>
    private static (IReadOnlyList<string> Files, Dictionary<string, string>? Index) WeightFiles(string folder)
    {
        var indexPath = Path.Combine(folder, IndexFileName);
        if (File.Exists(indexPath))
        {
            var index = ReadIndex(indexPath);
            return (index.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(), index);
        }
        if (File.Exists(Path.Combine(folder, SingleFileName))) return ([SingleFileName], null);
        var pickled = File.Exists(Path.Combine(folder, "pytorch_model.bin")) ? " It holds pytorch_model.bin, which is read only as a single file with -Architecture; save the model with safetensors (save_pretrained's default) instead." : "";
        throw new CheckpointException(CheckpointErrorKind.NotFound, folder, $"'{folder}' has a config.json but neither {SingleFileName} nor {IndexFileName}.{pickled}");
    }

    /// <summary>The index's weight_map (tensor name → shard file name), every file a plain name inside the folder.</summary>
    private static Dictionary<string, string> ReadIndex(string indexPath)
    {
        CheckpointFiles.EnsureRegular(indexPath);
        var length = new FileInfo(indexPath).Length;
        if (length > MaxIndexBytes)
            throw new CheckpointException(CheckpointErrorKind.TooLarge, indexPath, $"'{indexPath}' is {length} bytes; an index is read only up to {MaxIndexBytes} bytes.");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = HuggingFaceConfig.ParseJson(File.ReadAllBytes(indexPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var weights) || weights.ValueKind != JsonValueKind.Object)
                throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath, $"'{indexPath}' has no weight_map object.");
            foreach (var entry in weights.EnumerateObject())
            {
                var file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
                if (!IsShardName(file))
                    throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath,
                        $"'{indexPath}' maps '{entry.Name}' to {entry.Value.GetRawText()}, which is not the name of a .safetensors file in the same folder.");
                if (!map.TryAdd(entry.Name, file))
                    throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath, $"'{indexPath}' names '{entry.Name}' twice.");
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath, $"'{indexPath}' is not valid JSON: {e.Message}", e);
        }
        var shards = map.Values.Distinct(StringComparer.Ordinal).Count();
        if (shards > MaxShardCount)
            throw new CheckpointException(CheckpointErrorKind.TooLarge, indexPath, $"'{indexPath}' names {shards} shard files; at most {MaxShardCount} are read.");
        if (shards == 0)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath, $"'{indexPath}' names no shard file.");
        return map;
    }

    // A file name, no folder part, no '..', no link out of the folder: the index cannot make us read elsewhere.
    private static bool IsShardName(string file) =>
        file.Length is > 0 and <= 255
        && file == Path.GetFileName(file)
        && file.IndexOfAny(['/', '\\', '\0']) < 0
        && file is not ("." or "..")
        && file.EndsWith(ForeignStateCheckpoint.SafetensorsExtension, StringComparison.Ordinal);

    // Links are followed (the Hugging Face cache keeps a snapshot's files as links to its blobs); the
    // names cannot leave the folder, and what they reach must be a regular file.
    private static FileStream OpenShard(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointException(CheckpointErrorKind.NotFound, path, $"The weight file '{path}' does not exist.");
        CheckpointFiles.EnsureRegular(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
    }

    /// <summary>Every tensor the index names lies in its shard, and every tensor of a shard is in the index under that shard.</summary>
    private static void CheckIndex(string folder, Dictionary<string, string> index, List<FolderTensor> declared)
    {
        var indexPath = Path.Combine(folder, IndexFileName);
        foreach (var tensor in declared)
        {
            if (!index.TryGetValue(tensor.Entry.Name, out var file) || file != tensor.File)
                throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath,
                    $"'{tensor.File}' holds '{tensor.Entry.Name}', which '{indexPath}' " + (file is null ? "does not list." : $"places in '{file}'."));
        }
        var found = declared.Select(t => (t.Entry.Name, t.File)).ToHashSet();
        var absent = index.FirstOrDefault(pair => !found.Contains((pair.Key, pair.Value)));
        if (absent.Key is not null)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, indexPath, $"'{indexPath}' places '{absent.Key}' in '{absent.Value}', which does not hold it.");
    }

    /// <summary>The declared tensors under the zoo's names (prefix gone, legacy buffers skipped), checked against the layout.</summary>
    private static List<FolderTensor> Canonical(string folder, List<FolderTensor> declared, IReadOnlyList<(string Name, long[] Shape)> parameters)
    {
        var body = declared.Where(t => t.Entry.Name != HeadName).ToArray();
        var prefixed = body.Count(t => t.Entry.Name.StartsWith(Prefix, StringComparison.Ordinal));
        if (prefixed != 0 && prefixed != body.Length)
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, folder,
                $"'{folder}' names {prefixed} of its {body.Length} tensors with the '{Prefix}' prefix and the others without: a folder uses one naming throughout.");
        // Names are unique: a header's JSON names each once, and the index places each in one shard.
        var tensors = declared
            .Select(tensor => tensor with { Name = prefixed > 0 && tensor.Entry.Name != HeadName ? tensor.Entry.Name[Prefix.Length..] : tensor.Entry.Name })
            .Where(tensor => !LegacyBuffer().IsMatch(tensor.Name))
            .ToList();
        var seen = tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var expected = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var missing = parameters.Where(p => !seen.Contains(p.Name)).Select(p => p.Name).ToArray();
        var unexpected = tensors.Where(t => t.Name != HeadName && !expected.ContainsKey(t.Name)).Select(t => t.Name).ToArray();
        var wrongShape = tensors.FirstOrDefault(t => expected.TryGetValue(t.Name == HeadName ? EmbeddingName : t.Name, out var want) && !want.Shape.SequenceEqual(t.Entry.Shape));
        if (missing.Length > 0 || unexpected.Length > 0 || wrongShape is not null)
        {
            var parts = new List<string>();
            if (missing.Length > 0) parts.Add($"missing {List(missing)}");
            if (unexpected.Length > 0) parts.Add($"unexpected {List(unexpected)}");
            if (wrongShape is not null)
                parts.Add($"'{wrongShape.Entry.Name}' is [{string.Join("×", wrongShape.Entry.Shape)}] in '{wrongShape.File}' but [{string.Join("×", expected[wrongShape.Name == HeadName ? EmbeddingName : wrongShape.Name].Shape)}] in the Gpt its config.json describes");
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, folder, $"'{folder}' does not fit its config.json: {string.Join("; ", parts)}.");
        }
        var wrongType = tensors.FirstOrDefault(t => t.Entry.DType is not (TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16));
        if (wrongType is not null)
            throw new CheckpointException(CheckpointErrorKind.Unsupported, Path.Combine(folder, wrongType.File),
                $"'{wrongType.Entry.Name}' in '{wrongType.File}' is {wrongType.Entry.DType.SafetensorsName()}; Hugging Face weights are read as F32, F16 or BF16.");
        return tensors;
    }

    /// <summary>lm_head.weight must be wte.weight itself: the zoo's Gpt has one tensor for both.</summary>
    private static void CheckTie(string folder, FolderTensor head, FolderTensor embedding)
    {
        var untied = $"'{folder}' has an lm_head.weight that is not wte.weight bit for bit: untied output heads are not supported (the zoo's Gpt computes logits as h·wteᵀ).";
        if (head.Entry.DType != embedding.Entry.DType)
            throw new CheckpointException(CheckpointErrorKind.Unsupported, folder, untied);
        using var first = OpenShard(Path.Combine(folder, head.File));
        using var second = OpenShard(Path.Combine(folder, embedding.File));
        first.Position = head.DataStart + head.Entry.Begin;
        second.Position = embedding.DataStart + embedding.Entry.Begin;
        var a = new byte[ChunkBytes];
        var b = new byte[ChunkBytes];
        for (var remaining = head.Entry.ByteLength; remaining > 0;)
        {
            var take = (int)Math.Min(remaining, ChunkBytes);
            ReadFully(first, a.AsSpan(0, take), first.Name);
            ReadFully(second, b.AsSpan(0, take), second.Name);
            if (!a.AsSpan(0, take).SequenceEqual(b.AsSpan(0, take)))
                throw new CheckpointException(CheckpointErrorKind.Unsupported, folder, untied);
            remaining -= take;
        }
    }

    private static void ReadFully(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            // The header was checked against the file's length: the file shrank since.
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' ended early: it changed while it was read.", e);
        }
    }

    private static void Decode(ReadOnlySpan<byte> bytes, TensorDType dtype, Span<float> values)
    {
        switch (dtype)
        {
            case TensorDType.Float32:
                for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case TensorDType.Float16:
                for (var i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            default:
                // bfloat16 is the upper half of a float32: shifting it back is exact.
                for (var i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
        }
    }

    private static string DTypeName(TensorDType dtype) => dtype.ToString().ToLowerInvariant();

    private static string List(string[] names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Length > 5 ? $" and {names.Length - 5} more" : "");

    [GeneratedRegex(@"^h\.[0-9]+\.attn\.(bias|masked_bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyBuffer();
}
