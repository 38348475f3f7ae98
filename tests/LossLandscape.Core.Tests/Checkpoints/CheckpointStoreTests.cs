using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Checkpoints;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public CheckpointStoreTests() => LandscapeRuntime.Load();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void WrittenCheckpointReloadsToTheSameFunction()
    {
        var spec = ModelZoo.DefaultSpec("DigitsCnn");
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec);
        model.eval();
        using var input = LandscapeRuntime.Load().WithGlobalGenerator(null, () => rand(5, 1, 8, 8));
        using var expected = model.forward(input);

        var info = CheckpointStore.Write(LandscapeRuntime.Load(), model, new CheckpointMetadata { Model = spec, StateFile = "", StateSha256 = "" }, directory, "weights");
        using var reloaded = CheckpointStore.LoadModel(LandscapeRuntime.Load(), info);
        using var actual = reloaded.Forward(input);

        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
        Assert.Equal(CheckpointStore.Sha256(info.StatePath), info.Metadata.StateSha256);
        Assert.Equal("weights.dat", info.Metadata.StateFile);
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.ParameterCount);
        var json = File.ReadAllText(info.MetadataPath);
        Assert.DoesNotContain(directory, json);
        Assert.Empty(Directory.GetFiles(directory, "*.partial"));
    }

    [Fact]
    public void ReadNamesTheFirstShapeDifference()
    {
        var small = ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [16] };
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), small);
        CheckpointStore.Write(LandscapeRuntime.Load(), model, new CheckpointMetadata { Model = small, StateFile = "", StateSha256 = "" }, directory, "mlp");
        var json = File.ReadAllText(Path.Combine(directory, "mlp.json")).Replace("16", "17", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(directory, "mlp.json"), json);

        var error = Assert.Throws<CheckpointException>(() => CheckpointStore.Read(LandscapeRuntime.Load(), Path.Combine(directory, "mlp.dat")));
        Assert.Equal(CheckpointErrorKind.ArchitectureMismatch, error.Kind);
        Assert.Contains("'layers.0.weight' is [16×64] in the file but [17×64] in the model", error.Message);
    }
}
