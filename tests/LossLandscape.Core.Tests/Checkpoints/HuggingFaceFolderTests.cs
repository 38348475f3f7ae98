using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>
/// The folder reader below the model: which files it reads, under which names, with which values,
/// and what it refuses before reading a weight. The fixtures are make_gpt_reference.py's folders.
/// </summary>
public sealed class HuggingFaceFolderTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("losslandscape-hf-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Gpt", name);

    private static IReadOnlyList<(string Name, long[] Shape)> Gpt2Parameters() =>
        GptLayout.Parameters(HuggingFaceConfig.Read(Path.Combine(Fixture("hf-f32"), "config.json")));

    private static Dictionary<string, float[]> Stream(string folder)
    {
        var plan = HuggingFaceCheckpoint.Plan(folder, Gpt2Parameters());
        var values = plan.Tensors.ToDictionary(t => t.Name, t => new float[t.Entry.Shape.Aggregate(1L, (a, b) => a * b)], StringComparer.Ordinal);
        HuggingFaceCheckpoint.ForEachChunk(plan, (tensor, chunk, offset) => chunk.CopyTo(values[tensor.Name].AsSpan((int)offset)));
        return values;
    }

    private static Dictionary<string, float[]> FileValues(string variant) =>
        SafetensorsReader.Read(Path.Combine(Fixture(variant), "model.safetensors")).State.Tensors.ToDictionary(t => t.Name, t => t.ToFloat32(), StringComparer.Ordinal);

    private string Copy(string variant)
    {
        var folder = Path.Combine(temp, variant + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Fixture(variant))) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    private static CheckpointException Refused(string folder) =>
        Assert.Throws<CheckpointException>(() => HuggingFaceCheckpoint.Plan(folder, Gpt2Parameters()));

    [Theory]
    [InlineData("hf-sharded")]
    [InlineData("hf-prefixed")]
    [InlineData("hf-legacy")]
    [InlineData("hf-f32")]
    public void EveryFloat32VariantGivesTheCanonicalWeightsBitForBit(string variant)
    {
        var expected = FileValues("hf-f32");

        var read = Stream(Fixture(variant));

        Assert.Equal(expected.Keys.Order(), read.Keys.Order());
        foreach (var (name, values) in expected) Assert.Equal(values, read[name]);
    }

    [Theory]
    [InlineData("hf-f16", 1.0 / 2048)]
    [InlineData("hf-bf16", 1.0 / 256)]
    public void HalfPrecisionWeightsAreUpcastExactly(string variant, double relativeStep)
    {
        // NamedTensor.ToFloat32 is a second decoder of the same bytes; the float32 originals bound the rounding.
        var decoded = FileValues(variant);
        var originals = FileValues("hf-f32");

        var read = Stream(Fixture(variant));

        foreach (var (name, values) in decoded)
        {
            Assert.Equal(values, read[name]);
            for (var i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - originals[name][i]) <= relativeStep * Math.Abs(originals[name][i]) + 1e-7, $"{name}[{i}]: {values[i]} vs {originals[name][i]}");
        }
    }

    [Fact]
    public void ShardsAreReadInNameOrderAndThePlanSaysWhichFileHoldsEachTensor()
    {
        var plan = HuggingFaceCheckpoint.Plan(Fixture("hf-sharded"), Gpt2Parameters());

        Assert.Equal(HuggingFaceCheckpoint.IndexFileName, plan.IndexFile);
        Assert.Equal("model-00001-of-00002.safetensors", plan.Tensors.Single(t => t.Name == "h.0.mlp.c_proj.bias").File);
        Assert.Equal("model-00002-of-00002.safetensors", plan.Tensors.Single(t => t.Name == "h.1.ln_1.weight").File);
        Assert.Equal(2 + 2 * 12 + 2, plan.Tensors.Count);
    }

    [Fact]
    public void ConfigGivesTheGptSpec()
    {
        var spec = HuggingFaceConfig.Read(Path.Combine(Fixture("hf-f32"), "config.json"));

        Assert.Equal(("Gpt", 256, 2, 4, 64, 64), (spec.Architecture, spec.ClassCount, spec.LayerCount, spec.HeadCount, spec.EmbeddingWidth, spec.ContextLength));
        // GPT-2 small: 124,439,808 parameters with the head tied (the published count).
        Assert.Equal(124_439_808, HuggingFaceConfig.ParameterCount(50257, 1024, 12, 768));
        Assert.Equal(Gpt2Parameters().Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b)), HuggingFaceConfig.ParameterCount(256, 64, 2, 64));
    }

    [Theory]
    [InlineData("activation_function", "\"relu\"", CheckpointErrorKind.Unsupported, "activation_function is 'relu'")]
    [InlineData("layer_norm_epsilon", "1e-6", CheckpointErrorKind.Unsupported, "layer_norm_epsilon is 1e-6")]
    [InlineData("n_inner", "100", CheckpointErrorKind.Unsupported, "n_inner is 100")]
    [InlineData("tie_word_embeddings", "false", CheckpointErrorKind.Unsupported, "untied output head is not supported")]
    [InlineData("model_type", "\"llama\"", CheckpointErrorKind.Unsupported, "model_type is 'llama'")]
    [InlineData("n_head", "5", CheckpointErrorKind.Corrupt, "n_embd 64 is not a multiple of n_head 5")]
    [InlineData("n_layer", "0", CheckpointErrorKind.Corrupt, "n_layer is 0, not a positive integer")]
    [InlineData("vocab_size", "\"many\"", CheckpointErrorKind.Corrupt, "vocab_size is \"many\"")]
    [InlineData("vocab_size", "2000000000", CheckpointErrorKind.TooLarge, "more than the 2000000000 a checkpoint may have")]
    [InlineData("n_layer", "2147483647", CheckpointErrorKind.TooLarge, "refused before reading any weight")]
    public void AConfigForAnotherModelOrAnAbsurdSizeIsRefused(string key, string json, CheckpointErrorKind kind, string message)
    {
        var folder = Copy("hf-f32");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        config[key] = JsonNode.Parse(json);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

        var error = Assert.Throws<CheckpointException>(() => HuggingFaceConfig.Read(Path.Combine(folder, "config.json")));

        Assert.Equal(kind, error.Kind);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AConfigWithoutItsShapeIsCorruptAndAHugeOneIsRefusedUnread()
    {
        var folder = Copy("hf-f32");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        config.Remove("n_embd");
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        var missing = Assert.Throws<CheckpointException>(() => HuggingFaceConfig.Read(Path.Combine(folder, "config.json")));
        using (var stream = File.OpenWrite(Path.Combine(folder, "config.json"))) stream.SetLength(HuggingFaceConfig.MaxFileBytes + 1);
        var huge = Assert.Throws<CheckpointException>(() => HuggingFaceConfig.Read(Path.Combine(folder, "config.json")));

        Assert.Equal((CheckpointErrorKind.Corrupt, CheckpointErrorKind.TooLarge), (missing.Kind, huge.Kind));
        Assert.Contains("has no n_embd", missing.Message);
    }

    [Theory]
    [InlineData("../hf-f32/model.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("model-00001-of-00002.bin")]
    [InlineData("")]
    public void AnIndexCannotNameAFileOutsideTheFolder(string file)
    {
        var folder = Copy("hf-sharded");
        EditIndex(folder, map => map["wte.weight"] = file);

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.Corrupt, error.Kind);
        Assert.Contains("which is not the name of a .safetensors file in the same folder", error.Message);
    }

    [Fact]
    public void AShardTheIndexNamesMustExist()
    {
        var folder = Copy("hf-sharded");
        File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.NotFound, error.Kind);
        Assert.Contains("model-00002-of-00002.safetensors' does not exist", error.Message);
    }

    [Fact]
    public void TheIndexAndTheShardsMustAgreeOnWhereEachTensorIs()
    {
        var moved = Copy("hf-sharded");
        EditIndex(moved, map => map["wte.weight"] = "model-00002-of-00002.safetensors");
        var unlisted = Copy("hf-sharded");
        EditIndex(unlisted, map => map.Remove("ln_f.bias"));

        var movedError = Refused(moved);
        var unlistedError = Refused(unlisted);

        Assert.Contains("holds 'wte.weight', which", movedError.Message);
        Assert.Contains("places in 'model-00002-of-00002.safetensors'", movedError.Message);
        Assert.Contains("holds 'ln_f.bias', which", unlistedError.Message);
        Assert.Contains("does not list", unlistedError.Message);
    }

    [Fact]
    public void ATensorInTwoShardsIsRefused()
    {
        var folder = Copy("hf-sharded");
        var first = Path.Combine(folder, "model-00001-of-00002.safetensors");
        var second = Path.Combine(folder, "model-00002-of-00002.safetensors");
        var secondState = SafetensorsReader.Read(second).State.Tensors.Append(SafetensorsReader.Read(first).State["wpe.weight"]).ToList();
        SafetensorsWriter.Write(second, new StateDictionary(secondState));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.Corrupt, error.Kind);
        Assert.Contains("'model-00002-of-00002.safetensors' holds 'wpe.weight', which", error.Message);
        Assert.Contains("places in 'model-00001-of-00002.safetensors'", error.Message);
    }

    [Fact]
    public void AFolderMixingPrefixedAndBareNamesIsRefused()
    {
        var folder = Copy("hf-f32");
        var state = SafetensorsReader.Read(Path.Combine(folder, "model.safetensors")).State.Tensors
            .Select(t => t.Name.StartsWith("h.1.", StringComparison.Ordinal) ? t with { Name = "transformer." + t.Name } : t).ToList();
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), new StateDictionary(state));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.ArchitectureMismatch, error.Kind);
        Assert.Contains("names 12 of its 28 tensors with the 'transformer.' prefix", error.Message);
    }

    [Fact]
    public void AnLmHeadThatIsNotWteBitForBitIsAnUntiedHeadAndRefused()
    {
        var folder = Copy("hf-prefixed");
        var state = SafetensorsReader.Read(Path.Combine(folder, "model.safetensors")).State.Tensors.ToList();
        var head = state.Single(t => t.Name == "lm_head.weight");
        var flipped = (byte[])head.Data.Clone();
        flipped[^1] ^= 1;
        state[state.IndexOf(head)] = head with { Data = flipped };
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), new StateDictionary(state));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.Unsupported, error.Kind);
        Assert.Contains("untied output heads are not supported", error.Message);
    }

    [Fact]
    public void ATensorOfAnotherShapeThanTheConfigSaysIsRefusedBeforeItsBytesAreRead()
    {
        var folder = Copy("hf-f32");
        var path = Path.Combine(folder, "model.safetensors");
        var state = SafetensorsReader.Read(path).State.Tensors
            .Select(t => t.Name == "h.0.mlp.c_fc.weight" ? t with { Shape = [256, 64] } : t).ToList();
        SafetensorsWriter.Write(path, new StateDictionary(state));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.ArchitectureMismatch, error.Kind);
        Assert.Contains("'h.0.mlp.c_fc.weight' is [256×64] in 'model.safetensors' but [64×256] in the Gpt its config.json describes", error.Message);
    }

    [Fact]
    public void MissingAndUnexpectedTensorsAreNamed()
    {
        var folder = Copy("hf-f32");
        var path = Path.Combine(folder, "model.safetensors");
        var state = SafetensorsReader.Read(path).State.Tensors
            .Select(t => t.Name == "ln_f.bias" ? t with { Name = "ln_g.bias" } : t).ToList();
        SafetensorsWriter.Write(path, new StateDictionary(state));

        var error = Refused(folder);

        Assert.Contains("missing 'ln_f.bias'; unexpected 'ln_g.bias'", error.Message);
    }

    [Fact]
    public void IntegerOrDoubleWeightsAreUnsupported()
    {
        var folder = Copy("hf-f32");
        var path = Path.Combine(folder, "model.safetensors");
        var state = SafetensorsReader.Read(path).State.Tensors
            .Select(t => t.Name == "ln_f.bias" ? new NamedTensor(t.Name, TensorDType.Float64, t.Shape, new byte[t.ElementCount * 8]) : t).ToList();
        SafetensorsWriter.Write(path, new StateDictionary(state));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.Unsupported, error.Kind);
        Assert.Contains("'ln_f.bias' in 'model.safetensors' is F64; Hugging Face weights are read as F32, F16 or BF16", error.Message);
    }

    [Fact]
    public void AnIndexTooLargeOrNamingTooManyShardsIsRefusedUnread()
    {
        var large = Copy("hf-sharded");
        using (var stream = File.OpenWrite(Path.Combine(large, HuggingFaceCheckpoint.IndexFileName))) stream.SetLength(HuggingFaceCheckpoint.MaxIndexBytes + 1);
        var many = Copy("hf-sharded");
        EditIndex(many, map =>
        {
            for (var i = 0; i <= HuggingFaceCheckpoint.MaxShardCount; i++) map[$"extra.{i}"] = $"model-{i:D5}.safetensors";
        });

        var largeError = Refused(large);
        var manyError = Refused(many);

        Assert.Equal((CheckpointErrorKind.TooLarge, CheckpointErrorKind.TooLarge), (largeError.Kind, manyError.Kind));
        Assert.Contains($"an index is read only up to {HuggingFaceCheckpoint.MaxIndexBytes} bytes", largeError.Message);
        Assert.Contains($"names {HuggingFaceCheckpoint.MaxShardCount + 3} shard files; at most {HuggingFaceCheckpoint.MaxShardCount} are read", manyError.Message);
    }

    [Fact]
    public void AShardWhoseHeaderLengthPassesItsEndIsCorruptAndTheOtherShardIsNotNeeded()
    {
        var folder = Copy("hf-sharded");
        var shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 40);
        File.WriteAllBytes(shard, bytes);

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.Corrupt, error.Kind);
        Assert.Contains("the header length 1099511627776 exceeds", error.Message);
    }

    [Fact]
    public void AFifoInPlaceOfAShardIsRefusedWithoutBlocking()
    {
        var folder = Copy("hf-sharded");
        var shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        File.Delete(shard);
        using (var mkfifo = Process.Start("mkfifo", [shard])) mkfifo.WaitForExit();

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.NotRegularFile, error.Kind);
    }

    [Fact]
    public void AFolderWithoutWeightsSaysWhatItLacks()
    {
        var folder = Copy("hf-f32");
        File.Move(Path.Combine(folder, "model.safetensors"), Path.Combine(folder, "pytorch_model.bin"));

        var error = Refused(folder);

        Assert.Equal(CheckpointErrorKind.NotFound, error.Kind);
        Assert.Contains("neither model.safetensors nor model.safetensors.index.json", error.Message);
        Assert.Contains("It holds pytorch_model.bin", error.Message);
    }

    [Fact]
    public void TheFolderHashCoversEveryFileAndTheirNames()
    {
        var folder = Copy("hf-sharded");
        var before = HuggingFaceCheckpoint.Sha256(folder);
        var again = HuggingFaceCheckpoint.Sha256(Copy("hf-sharded"));
        var shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        bytes[^1] ^= 0x80;
        File.WriteAllBytes(shard, bytes);

        Assert.Equal(before, again);
        Assert.NotEqual(before, HuggingFaceCheckpoint.Sha256(folder));
        Assert.Matches("^[0-9a-f]{64}$", before);
    }

    [Fact]
    public void OnlyAFolderWithConfigJsonOrThatFileIsAHuggingFaceCheckpoint()
    {
        var folder = Copy("hf-f32");
        var ours = Path.Combine(temp, "ours");
        Directory.CreateDirectory(ours);
        File.WriteAllText(Path.Combine(ours, "config.json"), "{}");
        File.WriteAllText(Path.Combine(ours, "config.dat"), "");

        Assert.Equal(folder, HuggingFaceCheckpoint.FolderOf(folder));
        Assert.Equal(folder, HuggingFaceCheckpoint.FolderOf(Path.Combine(folder, "config.json")));
        Assert.Null(HuggingFaceCheckpoint.FolderOf(temp));
        Assert.Null(HuggingFaceCheckpoint.FolderOf(Path.Combine(folder, "model.safetensors")));
        Assert.Null(HuggingFaceCheckpoint.FolderOf(Path.Combine(ours, "config.json")));
    }

    private static void EditIndex(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, HuggingFaceCheckpoint.IndexFileName);
        var index = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(index["weight_map"]!.AsObject());
        // With a byte order mark, as an editor on Windows may save it.
        File.WriteAllText(path, index.ToJsonString(), Encoding.UTF8);
    }
}
