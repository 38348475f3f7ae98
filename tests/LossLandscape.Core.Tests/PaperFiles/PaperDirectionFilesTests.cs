using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.PaperFiles;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.PaperFiles;

/// <summary>The paper code's "states" and "weights" direction files (make_paper_layouts.py) read onto DigitsCnn.</summary>
public sealed class PaperDirectionFilesTests : IDisposable
{
    private const string Sha = "0123456789abcdef";
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly ParameterLayout layout;

    public PaperDirectionFilesTests()
    {
        LandscapeRuntime.Load();
        model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("DigitsCnn"));
        layout = ParameterLayout.Of(model);
    }

    public void Dispose() => model.Dispose();

    private int StateIndex(string name) => model.state_dict().Keys.ToList().IndexOf(name);

    [Fact]
    public void StatesFileFillsParametersAndBatchNormStatistics()
    {
        var directions = PaperDirectionFiles.Read(PaperFileFormulas.PathOf("digits_states.h5"), layout, Sha);

        Assert.Equal(2, directions.Count);
        Assert.Equal(20, model.state_dict().Count);
        Assert.Equal(6, layout.Buffers.Count);
        for (var axis = 0; axis < 2; axis++)
        {
            var direction = directions[axis];
            var a = axis;
            Assert.Equal(PaperFileFormulas.Expected(layout.Parameters, layout.ParameterLength, e => StateIndex(e.Name), (i, k) => PaperFileFormulas.DirectionValue(a, i, k)),
                direction.Parameters);
            Assert.NotNull(direction.Buffers);
            Assert.Equal(PaperFileFormulas.Expected(layout.Buffers, layout.BufferLength, e => StateIndex(e.Name), (i, k) => PaperFileFormulas.DirectionValue(a, i, k)),
                direction.Buffers);
            Assert.Equal(DirectionKind.File, direction.Recipe.Kind);
            Assert.Equal(BatchNormStatistics.Interpolate, direction.Recipe.BatchNormStatistics);
            Assert.Equal(axis, direction.Recipe.Axis);
            Assert.Equal(Sha, direction.Recipe.CheckpointSha256);
        }
        // bn2.running_var is state_dict entry 10: its first value is (10 + 1) * 100 in x.
        Assert.Equal(1100f, directions[0].Buffers![layout.Buffers.Single(b => b.Name == "bn2.running_var").Offset]);
    }

    [Fact]
    public void WeightsFileReadsAsParametersOnly()
    {
        var directions = PaperDirectionFiles.Read(PaperFileFormulas.PathOf("digits_weights.h5"), layout, Sha);

        var direction = Assert.Single(directions);
        Assert.Null(direction.Buffers);
        Assert.Equal(DirectionKind.File, direction.Recipe.Kind);
        Assert.Equal(BatchNormStatistics.Running, direction.Recipe.BatchNormStatistics);
        var order = layout.Parameters.Select(p => p.Name).ToList();
        Assert.Equal(PaperFileFormulas.Expected(layout.Parameters, layout.ParameterLength, e => order.IndexOf(e.Name), (i, k) => PaperFileFormulas.DirectionValue(0, i, k)),
            direction.Parameters);
    }

    [Fact]
    public void StatesFileWithAWrongShapeNamesTheIndexAndTheExpectedShape()
    {
        var error = Assert.Throws<InvalidDataException>(() => PaperDirectionFiles.Read(PaperFileFormulas.PathOf("digits_states_bad.h5"), layout, Sha));

        Assert.Contains("state_dict()", error.Message);
        Assert.Contains("xdirection/7 has shape (31)", error.Message);
        Assert.Contains("expected shape (32) (bn2.weight)", error.Message);
    }

    [Fact]
    public void FileOfAnotherModelIsRejected()
    {
        using var mlp = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("Mlp"));

        var error = Assert.Throws<InvalidDataException>(() => PaperDirectionFiles.Read(PaperFileFormulas.PathOf("digits_states.h5"), ParameterLayout.Of(mlp), Sha));

        Assert.Contains("xdirection/0 has shape (16, 1, 3, 3)", error.Message);
        Assert.Contains("expected shape (64, 64) (layers.0.weight)", error.Message);
    }
}
