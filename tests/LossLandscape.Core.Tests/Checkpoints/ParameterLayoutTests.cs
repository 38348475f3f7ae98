using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Checkpoints;

public sealed class ParameterLayoutTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    private readonly LandscapeRuntime runtime = LandscapeRuntime.Load();

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void EntriesAreFiltersBiasesOrBatchNormInModuleOrderWithFlatOffsets()
    {
        var layout = ParameterLayout.Of(runtime, ModelZoo.DefaultSpec("DigitsCnn"));

        Assert.Equal(
            ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "conv3.weight", "bn3.weight", "bn3.bias", "linear.weight", "linear.bias"],
            layout.Parameters.Select(p => p.Name));
        Assert.Equal(
            [ParameterRole.Filter, ParameterRole.BatchNorm, ParameterRole.BatchNorm, ParameterRole.Filter, ParameterRole.BatchNorm, ParameterRole.BatchNorm,
             ParameterRole.Filter, ParameterRole.BatchNorm, ParameterRole.BatchNorm, ParameterRole.Filter, ParameterRole.Bias],
            layout.Parameters.Select(p => p.Role));
        Assert.Equal([16L, 1, 3, 3], layout.Parameters[0].Shape);
        Assert.Equal(144, layout.Parameters[1].Offset);
        Assert.Equal(layout.ParameterLength, layout.Parameters[^1].Offset + layout.Parameters[^1].Length);
        Assert.Equal(["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var", "bn3.running_mean", "bn3.running_var"], layout.Buffers.Select(b => b.Name));
        Assert.All(layout.Buffers, b => Assert.Equal(ParameterRole.BatchNorm, b.Role));
        Assert.Equal(2 * (16 + 32 + 32), layout.BufferLength);
        // The integer step counters are state but never part of a direction.
        Assert.Contains(layout.StateEntries, e => e.Name == "bn1.num_batches_tracked" && e.DType == "int64");
        Assert.Equal(11 + 6 + 3, layout.StateEntries.Count);
    }

    [Fact]
    public void CheckpointLayoutIsTheLoadedModelsAndIsBuiltOnce()
    {
        var spec = ModelZoo.DefaultSpec("DigitsCnn");
        using var model = ModelZoo.Create(runtime, spec);
        var info = CheckpointStore.Write(runtime, model, new CheckpointMetadata { Model = spec, StateFile = "", StateSha256 = "" }, directory, "weights");

        var layout = ParameterLayout.Of(runtime, info);
        using var loaded = CheckpointStore.LoadModel(runtime, info);
        var live = ParameterLayout.Of(loaded);

        Assert.Same(layout, ParameterLayout.Of(runtime, info));
        Assert.Equal(live.Parameters.Select(p => (p.Name, string.Join(",", p.Shape), p.Offset, p.Role)), layout.Parameters.Select(p => (p.Name, string.Join(",", p.Shape), p.Offset, p.Role)));
        Assert.Equal(live.Buffers.Select(b => (b.Name, b.Offset)), layout.Buffers.Select(b => (b.Name, b.Offset)));
        Assert.Equal(info.ParameterCount, layout.ParameterLength);
        Assert.Null(layout.FirstDifference(info.Tensors));
    }
}
