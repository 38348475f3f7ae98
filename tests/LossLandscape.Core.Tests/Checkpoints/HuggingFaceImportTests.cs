using System.Buffers.Binary;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>
/// make_gpt_reference.py's folders through <see cref="CheckpointImporter"/> and the model they load
/// into, against the logits and losses PyTorch computed (reference.safetensors, read with
/// <see cref="GptTests"/>' helpers); and the export of an import, which keeps each tensor's dtype
/// (for half-precision PyTorch files as well).
/// </summary>
public sealed class HuggingFaceImportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("losslandscape-hf-import-").FullName;

    private static LandscapeRuntime Runtime => LandscapeRuntime.Load();

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Theory]
    [InlineData("hf-f32", "f32")]
    [InlineData("hf-f16", "f16")]
    [InlineData("hf-bf16", "bf16")]
    [InlineData("hf-sharded", "f32")]
    [InlineData("hf-prefixed", "f32")]
    [InlineData("hf-legacy", "f32")]
    public void EveryFolderVariantReproducesPyTorchsLogitsAndLoss(string folder, string reference)
    {
        var info = CheckpointImporter.Read(Runtime, HuggingFaceFolderTests.Fixture(folder));
        using var model = CheckpointStore.LoadModel(Runtime, info);
        using var tokens = GptTests.ReferenceTokens();
        using var noGrad = no_grad();
        using var logits = ((nn.Module<Tensor, Tensor>)model).call(tokens);
        using var expected = GptTests.ReferenceTensor($"logits.{reference}");
        var difference = (logits - expected).abs().max().item<float>();
        var loss = GptTests.NextTokenLoss(logits, tokens);
        var expectedLoss = BinaryPrimitives.ReadDoubleLittleEndian(GptTests.Reference[$"loss.{reference}"].Data);
        output.WriteLine($"{folder}: max |Δlogit| = {difference:E2}, |Δloss| = {Math.Abs(loss - expectedLoss):E2}");

        Assert.Equal(CheckpointFormat.HuggingFace, info.Format);
        Assert.Equal(ModelZoo.DefaultSpec(nameof(Gpt)) with { ClassCount = 256, LayerCount = 2, HeadCount = 4, EmbeddingWidth = 64, ContextLength = 64 }, info.Metadata.Model);
        Assert.Equal(120_576L, info.ParameterCount);
        Assert.Equal(28, info.Tensors.Count);
        Assert.Equal(reference == "f32" ? 0 : 28, info.Conversions.Count);
        Assert.True(difference <= 1e-5, $"max |Δlogit| = {difference}");
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-6, $"loss {loss} vs {expectedLoss}");
    }

    [Fact]
    public void ItsConfigJsonNamesTheFolderToo()
    {
        var byFile = CheckpointImporter.Read(Runtime, Path.Combine(HuggingFaceFolderTests.Fixture("hf-sharded"), "config.json"));
        var byFolder = CheckpointImporter.Read(Runtime, HuggingFaceFolderTests.Fixture("hf-sharded"));

        Assert.Equal(byFolder.StatePath, byFile.StatePath);
        Assert.Equal(byFolder.Metadata, byFile.Metadata);
        Assert.Equal(HuggingFaceCheckpoint.IndexFileName, byFile.Metadata.StateFile);
        Assert.Equal(HuggingFaceCheckpoint.Sha256(HuggingFaceFolderTests.Fixture("hf-sharded")), byFile.Metadata.StateSha256);
    }

    [Theory]
    [InlineData("hf-f32", "")]
    [InlineData("hf-f16", "")]
    [InlineData("hf-bf16", "")]
    [InlineData("hf-prefixed", "transformer.")]
    public void AnUnchangedImportExportsTheFilesTensorsByteForByte(string folder, string prefix)
    {
        var source = SafetensorsReader.Read(Path.Combine(HuggingFaceFolderTests.Fixture(folder), "model.safetensors")).State;
        var info = CheckpointImporter.Read(Runtime, HuggingFaceFolderTests.Fixture(folder));

        var exported = CheckpointExporter.StateOf(Runtime, info);

        Assert.Equal(GptLayout.Parameters(info.Metadata.Model).Select(p => p.Name), exported.Names);
        foreach (var tensor in exported.Tensors)
        {
            var original = source[prefix + tensor.Name];
            Assert.Equal(original.DType, tensor.DType);
            Assert.Equal(original.Shape, tensor.Shape);
            Assert.Equal(original.Data, tensor.Data);
        }
    }

    [Theory]
    [InlineData("digits_half.pt", TensorDType.Float16)]
    [InlineData("digits_bfloat16.pt", TensorDType.BFloat16)]
    [InlineData("digits_double.pt", TensorDType.Float32)]
    public void AHalfPrecisionPyTorchFileExportsInItsOwnDtypeTooAndFloat64StaysTheModelsFloat32(string file, TensorDType exportedType)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Formats", file);
        var source = PyTorchCheckpointReader.Read(path).State;
        var info = CheckpointImporter.Read(Runtime, path, ModelZoo.DefaultSpec(nameof(DigitsCnn)));

        var exported = CheckpointExporter.StateOf(Runtime, info);

        Assert.All(exported.Tensors.Where(t => source[t.Name].DType.IsFloatingPoint()), t =>
        {
            Assert.Equal(exportedType, t.DType);
            // float64 narrowed to float32 on import cannot come back; the half types come back exactly.
            if (exportedType != TensorDType.Float32) Assert.Equal(source[t.Name].Data, t.Data);
        });
    }

    [Theory]
    [InlineData("hf-f16")]
    [InlineData("hf-bf16")]
    public void AChangedWeightIsExportedRoundedToTheFilesDtype(string folder)
    {
        var info = CheckpointImporter.Read(Runtime, HuggingFaceFolderTests.Fixture(folder));
        using var model = CheckpointStore.LoadModel(Runtime, info);
        float[] moved;
        using (no_grad())
        {
            var weight = model.named_parameters().Single(p => p.name == "h.0.mlp.c_fc.weight").parameter;
            using var step = linspace(-1e-3, 1e-3, weight.numel()).reshape(weight.shape);
            weight.add_(step);
            moved = weight.data<float>().ToArray();
        }

        var exported = CheckpointExporter.StateOf(model, info)["h.0.mlp.c_fc.weight"];

        // Round to nearest, ties to even, done here without libtorch: .NET's Half, and bfloat16 by its bits.
        var expected = new byte[moved.Length * 2];
        for (var i = 0; i < moved.Length; i++)
        {
            var bits = folder == "hf-f16"
                ? BitConverter.HalfToUInt16Bits((Half)moved[i])
                : (ushort)((BitConverter.SingleToUInt32Bits(moved[i]) + 0x7FFF + ((BitConverter.SingleToUInt32Bits(moved[i]) >> 16) & 1)) >> 16);
            BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(2 * i), bits);
        }
        Assert.Equal(folder == "hf-f16" ? TensorDType.Float16 : TensorDType.BFloat16, exported.DType);
        Assert.Equal(expected, exported.Data);
        var original = SafetensorsReader.Read(Path.Combine(HuggingFaceFolderTests.Fixture(folder), "model.safetensors")).State["h.0.mlp.c_fc.weight"];
        Assert.NotEqual(original.Data, exported.Data);
    }

    [Fact]
    public void NonFiniteWeightsAreCounted()
    {
        var folder = Path.Combine(temp, "nan");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(HuggingFaceFolderTests.Fixture("hf-bf16"), "config.json"), Path.Combine(folder, "config.json"));
        var state = SafetensorsReader.Read(Path.Combine(HuggingFaceFolderTests.Fixture("hf-bf16"), "model.safetensors")).State.Tensors.ToList();
        var bias = state.Single(t => t.Name == "h.1.attn.c_proj.bias");
        var data = (byte[])bias.Data.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), 0x7FC0);   // NaN
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(10), 0xFF80);  // −∞
        state[state.IndexOf(bias)] = bias with { Data = data };
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), new StateDictionary(state));

        var info = CheckpointImporter.Read(Runtime, folder);

        Assert.Equal(2, info.NonFiniteCount);
        Assert.Equal(2, info.Tensors.Single(t => t.Name == "h.1.attn.c_proj.bias").NonFiniteCount);
    }
}
