using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Tests.Surfaces;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>A TorchScript model that is not in the zoo (a gated residual CNN with GroupNorm), written by real PyTorch.</summary>
public sealed class TorchScriptCheckpointTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript");
    private static readonly string ModelPath = Path.Combine(Folder, "gated_cnn.pt");
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "gated_cnn_reference.json"))).RootElement;

    public TorchScriptCheckpointTests() => TorchScriptChild.Configure();

    [Fact]
    public void AFileThatWouldAbortLibtorchIsRefusedByTheChildAndTheNextFileLoads()
    {
        var hostile = Path.Combine(Folder, "hostile_os_system.pt");
        Assert.True(TorchScriptCheckpoint.IsTorchScript(hostile));

        var error = Assert.Throws<CheckpointException>(() => TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), hostile));
        var info = TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), ModelPath);

        Assert.Contains("exit code 134", error.Message);
        Assert.Contains("posix.system", error.Message);
        Assert.Equal(1979L, info.ParameterCount);
        Assert.Empty(Directory.GetFiles(Environment.CurrentDirectory, "PWNED*"));
    }

    [Fact]
    public void ReadsNamesAndShapesInPyTorchOrder()
    {
        var info = TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), ModelPath);
        Assert.Equal(CheckpointFormat.TorchScript, info.Format);
        var expected = Reference.GetProperty("parameters").EnumerateArray().Concat(Reference.GetProperty("buffers").EnumerateArray())
            .Select(e => $"{e[0].GetString()} [{string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt64()))}]");
        Assert.Equal(expected, info.Tensors.Select(t => $"{t.Name} [{string.Join(",", t.Shape)}]"));
        Assert.Equal(8 * 9 + 8 + 8 + 8 + 1 + 8 * 8 * 9 + 8 + 8 + 10 * 128 + 10, info.ParameterCount);
    }

    [Fact]
    public void LogitsEqualPyTorchs()
    {
        var info = TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), ModelPath);
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), info);
        var inputs = Reference.GetProperty("inputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        using var batch = tensor(inputs, [4, 1, 8, 8]);
        using var noGrad = no_grad();
        using var logits = model.Forward(batch);
        var expected = Reference.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var actual = logits.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"logit {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void SurfaceCentreEqualsPyTorchsTrainLossAndThetaIsRestored()
    {
        var info = TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), ModelPath);
        var recipe = new DirectionRecipe { CheckpointSha256 = info.Metadata.StateSha256 };
        var request = new SurfaceRequest
        {
            Checkpoint = info,
            X = DirectionBuilder.Build(LandscapeRuntime.Load(), info, recipe),
            Y = DirectionBuilder.Build(LandscapeRuntime.Load(), info, recipe with { Axis = 1 }),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 3), SurfaceGrid.Linspace(-1, 1, 3)),
            Data = [new DatasetReference("Digits")],
            Workers = 2,
        };
        // The 0-d gate and the GroupNorm affine parameters have dim ≤ 1: zero in a filter-normalized direction.
        var gate = ParameterLayout.Of(LandscapeRuntime.Load(), info).Parameters.Single(p => p.Name == "block.gate");
        Assert.Equal(ParameterRole.Bias, gate.Role);
        Assert.Equal(0f, request.X.Parameters[gate.Offset]);
        var result = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver());
        var expected = Reference.GetProperty("train_loss").GetDouble();
        Assert.Equal(expected, result.Values["train_loss"][4], expected * 1e-5);
        Assert.Equal(Reference.GetProperty("train_accuracy").GetDouble(), result.Values["train_acc"][4], 1e-3);
        Assert.True(result.Values["train_loss"].Where((_, i) => i != 4).All(v => v > expected));
    }

    [Fact]
    public void AStateDictZipIsNotMistakenForTorchScript()
    {
        var notScript = Path.Combine(Path.GetTempPath(), $"ll-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(notScript, [1, 2, 3, 4]);
        try
        {
            Assert.False(TorchScriptCheckpoint.IsTorchScript(notScript));
            var error = Assert.Throws<CheckpointException>(() => TorchScriptCheckpoint.Read(LandscapeRuntime.Load(), notScript));
            Assert.Equal(CheckpointErrorKind.Corrupt, error.Kind);
        }
        finally
        {
            File.Delete(notScript);
        }
        Assert.True(TorchScriptCheckpoint.IsTorchScript(ModelPath));
    }
}
