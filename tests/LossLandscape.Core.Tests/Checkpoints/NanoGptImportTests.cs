using System.IO.Compression;
using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>
/// make_gpt_reference.py's nanogpt/ckpt.pt (nn.Linear layout, '_orig_mod.transformer.' names, lm_head
/// sharing wte's storage, attn.bias buffers) against the logits PyTorch computed with the exact erf GELU,
/// and copies of it whose pickle was changed in one place.
/// </summary>
public sealed class NanoGptImportTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string CheckpointPath = Path.Combine(HuggingFaceFolderTests.Fixture("nanogpt"), "ckpt.pt");

    private readonly string temp = Directory.CreateTempSubdirectory("losslandscape-nanogpt-").FullName;

    private static LandscapeRuntime Runtime => LandscapeRuntime.Load();

    private static ModelSpec FixtureSpec => ModelZoo.DefaultSpec(nameof(Gpt)) with
    {
        ClassCount = 256, LayerCount = 2, HeadCount = 4, EmbeddingWidth = 64, ContextLength = 64, Activation = GptActivation.Gelu,
    };

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void TheCheckpointReproducesPyTorchsExactGeluLogitsAndLoss()
    {
        var info = CheckpointImporter.Read(Runtime, CheckpointPath);
        using var model = CheckpointStore.LoadModel(Runtime, info);
        using var tokens = GptTests.ReferenceTokens();
        using var noGrad = no_grad();
        using var logits = ((nn.Module<Tensor, Tensor>)model).call(tokens);
        using var expected = GptTests.ReferenceTensor("logits.nanogpt");
        var difference = (logits - expected).abs().max().item<float>();
        // The generator saved no loss for this variant: the reference is the float64 loss of its logits.
        var loss = GptTests.NextTokenLoss(logits, tokens);
        var expectedLoss = GptTests.NextTokenLoss(expected, tokens);
        output.WriteLine($"nanoGPT: max |Δlogit| = {difference:E2}, loss {loss:F9} vs {expectedLoss:F9}, |Δloss| = {Math.Abs(loss - expectedLoss):E2}");

        Assert.Equal(CheckpointFormat.PyTorch, info.Format);
        Assert.Equal(FixtureSpec, info.Metadata.Model);
        Assert.Equal(120_576L, info.ParameterCount);
        Assert.Equal(GptLayout.Parameters(FixtureSpec).Select(p => (p.Name, string.Join(",", p.Shape))), info.Tensors.Select(t => (t.Name, string.Join(",", t.Shape))));
        Assert.Empty(info.Conversions);
        Assert.True(difference <= 1e-5, $"max |Δlogit| = {difference}");
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-6, $"loss {loss} vs {expectedLoss}");
    }

    [Fact]
    public void WithArchitectureGptItIsTheSameImportAndItExportsAsTheHuggingFaceFolderOfTheSameWeights()
    {
        var bare = CheckpointImporter.Read(Runtime, CheckpointPath);
        var named = CheckpointImporter.Read(Runtime, CheckpointPath, ModelZoo.DefaultSpec(nameof(Gpt)));
        // The generator wrote one model twice: as nanoGPT's transposed nn.Linear weights and as GPT-2's Conv1D ones.
        var huggingFace = SafetensorsReader.Read(Path.Combine(HuggingFaceFolderTests.Fixture("hf-f32"), "model.safetensors")).State;

        var exported = CheckpointExporter.StateOf(Runtime, named);

        Assert.Equal(bare.Metadata, named.Metadata);
        Assert.Equal(huggingFace.Names, exported.Names);
        foreach (var tensor in exported.Tensors)
        {
            Assert.Equal(huggingFace[tensor.Name].Shape, tensor.Shape);
            Assert.Equal(huggingFace[tensor.Name].Data, tensor.Data);
        }
    }

    [Fact]
    public void AHuggingFaceFolderWithTheExactGeluComputesWhatTheNanoGptCheckpointDoes()
    {
        var folder = Directory.CreateDirectory(Path.Combine(temp, "hf-gelu")).FullName;
        var source = HuggingFaceFolderTests.Fixture("hf-f32");
        File.Copy(Path.Combine(source, "model.safetensors"), Path.Combine(folder, "model.safetensors"));
        var config = File.ReadAllText(Path.Combine(source, "config.json"));
        Assert.Contains("\"activation_function\": \"gelu_new\"", config);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.Replace("\"gelu_new\"", "\"gelu\"", StringComparison.Ordinal));

        var info = CheckpointImporter.Read(Runtime, folder);
        using var model = CheckpointStore.LoadModel(Runtime, info);
        using var tokens = GptTests.ReferenceTokens();
        using var noGrad = no_grad();
        using var logits = ((nn.Module<Tensor, Tensor>)model).call(tokens);
        using var expected = GptTests.ReferenceTensor("logits.nanogpt");

        Assert.Equal(FixtureSpec, info.Metadata.Model);
        Assert.True((logits - expected).abs().max().item<float>() <= 1e-5, $"max |Δlogit| = {(logits - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void ATamperedNameOrShapeIsRefusedBeforeAnyWeightIsRead()
    {
        // Without their data records, reading any weight would fail as Corrupt: ArchitectureMismatch shows the check came first.
        var renamed = Tampered("renamed", "h.1.mlp.c_fc.weight"u8, "h.1.mlp.c_fx.weight"u8, keepData: false);
        // block_size 64 → 32 (BININT1 '@' → ' '): wpe and the attn.bias masks no longer have the shape model_args describe.
        var reshaped = Tampered("reshaped", Pickle("block_size", 0xf7, (byte)'K', 64), Pickle("block_size", 0xf7, (byte)'K', 32), keepData: false);

        var name = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(Runtime, renamed));
        var shape = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(Runtime, reshaped));

        Assert.Equal((CheckpointErrorKind.ArchitectureMismatch, CheckpointErrorKind.ArchitectureMismatch), (name.Kind, shape.Kind));
        Assert.Contains("missing keys '_orig_mod.transformer.h.1.mlp.c_fc.weight'; unexpected keys '_orig_mod.transformer.h.1.mlp.c_fx.weight'", name.Message);
        Assert.Contains("'_orig_mod.transformer.wpe.weight' is [64×64] in the file but [32×64] in nanoGPT's layout", shape.Message);
    }

    [Fact]
    public void AnUntiedHeadAndABiaslessModelAreRefusedAsUnsupported()
    {
        // lm_head.weight is a memo reference to wte's tensor (BINGET 15); 103 is h.0.mlp.c_fc.weight's, also [256, 64] in nn.Linear layout.
        var untied = Tampered("untied", Pickle("_orig_mod.lm_head.weight", 0xf1, (byte)'h', 15), Pickle("_orig_mod.lm_head.weight", 0xf1, (byte)'h', 103), keepData: true);
        var biasless = Tampered("biasless", Pickle("bias", 0xf8, 0x88), Pickle("bias", 0xf8, 0x89), keepData: true);

        var head = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(Runtime, untied));
        var bias = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(Runtime, biasless));

        Assert.Equal((CheckpointErrorKind.Unsupported, CheckpointErrorKind.Unsupported), (head.Kind, bias.Kind));
        Assert.Contains("has an lm_head.weight that is not its wte.weight: an untied output head is not supported", head.Message);
        Assert.Contains("bias False in its model_args", bias.Message);
    }

    [Fact]
    public void AGptCheckpointGivenAsAnotherArchitectureIsRefusedAndSaysHowToImportIt()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(Runtime, CheckpointPath, ModelZoo.DefaultSpec(nameof(DigitsCnn))));

        Assert.Equal(CheckpointErrorKind.Unsupported, error.Kind);
        Assert.Contains("Import a nanoGPT ckpt.pt without -Architecture", error.Message);
    }

    [Fact]
    public void TheActivationIsWrittenOnlyWhenItIsNotGeluNewAndOnlyGptTakesIt()
    {
        var geluNew = FixtureSpec with { Activation = GptActivation.GeluNew };
        var json = JsonSerializer.Serialize(geluNew, CheckpointStore.JsonOptions);
        var exact = JsonSerializer.Serialize(FixtureSpec, CheckpointStore.JsonOptions);

        Assert.DoesNotContain("activation", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(json, exact.Replace(",\n  \"activation\": \"Gelu\"", "", StringComparison.Ordinal));
        Assert.Equal(FixtureSpec, JsonSerializer.Deserialize<ModelSpec>(exact, CheckpointStore.JsonOptions));
        Assert.NotEqual(geluNew, FixtureSpec);
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create(Runtime, ModelZoo.DefaultSpec(nameof(DigitsCnn)) with { Activation = GptActivation.Gelu }, seed: 1));
        Assert.Contains("Activation applies only to Gpt", error.Message);
    }

    /// <summary>A BINUNICODE key, its BINPUT memo index, then one opcode and its one-byte argument (or none).</summary>
    private static byte[] Pickle(string key, byte memo, params byte[] value) =>
        [(byte)'X', (byte)key.Length, 0, 0, 0, .. System.Text.Encoding.ASCII.GetBytes(key), (byte)'q', memo, .. value];

    /// <summary>A copy of ckpt.pt with one byte sequence of its pickle (found exactly once) replaced, with or without its data records.</summary>
    private string Tampered(string name, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement, bool keepData)
    {
        var target = Path.Combine(temp, name + ".pt");
        using var source = ZipFile.OpenRead(CheckpointPath);
        using var archive = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            if (!keepData && entry.FullName.Contains("/data/", StringComparison.Ordinal)) continue;
            using var reader = new MemoryStream();
            using (var stream = entry.Open()) stream.CopyTo(reader);
            var bytes = reader.ToArray();
            if (entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
            {
                var at = bytes.AsSpan().IndexOf(find);
                Assert.True(at >= 0 && bytes.AsSpan(at + 1).IndexOf(find) < 0, $"the pickle holds the sequence to replace {(at < 0 ? "nowhere" : "more than once")}");
                bytes = [.. bytes.AsSpan(0, at), .. replacement, .. bytes.AsSpan(at + find.Length)];
            }
            using var written = archive.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
            written.Write(bytes);
        }
        return target;
    }
}
