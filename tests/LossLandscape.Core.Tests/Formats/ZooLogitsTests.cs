using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Formats;

/// <summary>
/// End to end: a state dict PyTorch saved, read by our reader and copied into the zoo model by
/// name, gives the eval-mode logits PyTorch recorded.
/// </summary>
public sealed class ZooLogitsTests
{
    public ZooLogitsTests() => LandscapeRuntime.Load();

    [Theory]
    [InlineData("digits_plain.pt", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits_protocol4.pt", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits_paper.t7", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits_dataparallel.pth", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits_legacy.t7", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits_double.pt", "DigitsCnn", "DigitsCnn", CheckpointFormat.PyTorch)]
    [InlineData("digits.safetensors", "DigitsCnn", "DigitsCnn", CheckpointFormat.Safetensors)]
    [InlineData("resnet20.pt", "ResNet20", "CifarResNet20", CheckpointFormat.PyTorch)]
    public void ImportedCheckpointsReproducePyTorchLogits(string fixture, string architecture, string referenceModel, CheckpointFormat format)
    {
        var reference = FormatFixtures.References.GetProperty("models").GetProperty(referenceModel);
        var inputValues = reference.GetProperty("input").EnumerateArray().Select(value => value.GetSingle()).ToArray();
        var inputShape = reference.GetProperty("input_shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var expected = reference.GetProperty("logits").EnumerateArray().Select(value => value.GetDouble()).ToArray();

        var checkpoint = CheckpointImporter.Read(LandscapeRuntime.Load(), FormatFixtures.PathOf(fixture), ModelZoo.DefaultSpec(architecture));
        Assert.Equal(format, checkpoint.Format);
        Assert.Equal(0, checkpoint.NonFiniteCount);
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint);
        using var input = tensor(inputValues, inputShape);
        using var noGrad = no_grad();
        using var logits = model.Forward(input);
        var actual = logits.data<float>().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{fixture} logit {i}: ours {actual[i]}, PyTorch {expected[i]}");
    }

    [Fact]
    public void ThePapersCheckpointDictKeepsItsEpoch()
    {
        var checkpoint = CheckpointImporter.Read(LandscapeRuntime.Load(), FormatFixtures.PathOf("digits_paper.t7"), ModelZoo.DefaultSpec("DigitsCnn"));
        Assert.Equal(7, checkpoint.Metadata.Epoch);
    }

    [Fact]
    public void AWrongArchitectureNamesMissingAndUnexpectedKeys()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(LandscapeRuntime.Load(), FormatFixtures.PathOf("digits_plain.pt"), ModelZoo.DefaultSpec("ResNet20")));
        Assert.Equal(CheckpointErrorKind.ArchitectureMismatch, error.Kind);
        Assert.Contains("missing keys 'layer1.0.conv1.weight'", error.Message);
        Assert.Contains("unexpected keys", error.Message);
    }

    [Fact]
    public void OurJsonSideFileNamesTheArchitectureOfAStateDict()
    {
        var folder = Directory.CreateTempSubdirectory("ll-sidefile-");
        try
        {
            var stateDict = Path.Combine(folder.FullName, "weights.pt");
            File.Copy(FormatFixtures.PathOf("digits_plain.pt"), stateDict);
            var metadata = new CheckpointMetadata { Model = ModelZoo.DefaultSpec("DigitsCnn"), StateFile = "weights.pt", StateSha256 = "" };
            File.WriteAllBytes(Path.ChangeExtension(stateDict, ".json"), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(metadata, CheckpointStore.JsonOptions));

            var checkpoint = CheckpointImporter.Read(LandscapeRuntime.Load(), stateDict);

            Assert.Equal("DigitsCnn", checkpoint.Metadata.Model.Architecture);
            Assert.Equal(CheckpointFormat.PyTorch, checkpoint.Format);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void WithoutAnArchitectureAStateDictIsAClearError()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(LandscapeRuntime.Load(), FormatFixtures.PathOf("digits_plain.pt")));
        Assert.Equal(CheckpointErrorKind.UnknownArchitecture, error.Kind);
        Assert.Contains("-Architecture", error.Message);
    }

    [Theory]
    [InlineData("hostile_os_system.pt", CheckpointErrorKind.Unsafe, "posix.system")]
    [InlineData("hostile_os_system_legacy.t7", CheckpointErrorKind.Unsafe, "posix.system")]
    [InlineData("hostile_unknown_class.pt", CheckpointErrorKind.Unsafe, "mymodule.MyNet")]
    [InlineData("truncated.pt", CheckpointErrorKind.Corrupt, "")]
    [InlineData("hostile_offsets_past_end.safetensors", CheckpointErrorKind.Corrupt, "")]
    public void HostileFilesAreRefusedWithTheirReason(string fixture, CheckpointErrorKind kind, string named)
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointImporter.Read(LandscapeRuntime.Load(), FormatFixtures.PathOf(fixture), ModelZoo.DefaultSpec("DigitsCnn")));
        Assert.Equal(kind, error.Kind);
        Assert.Contains(named, error.Message);
    }
}
