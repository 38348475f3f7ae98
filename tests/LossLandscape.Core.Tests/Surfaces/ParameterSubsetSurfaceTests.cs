using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>-Parameter on the DigitsCnn, whose first layer is conv1 (conv1.weight, no bias).</summary>
public sealed class ParameterSubsetSurfaceTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    private static readonly DatasetReference Train = new("Digits", DatasetSplit.Train, MaxSamples: 300, SubsetSeed: 4);

    private static readonly ParameterSubset FirstLayer = new(["conv1.*"]);

    private static DirectionRecipe Recipe(CheckpointInfo checkpoint, ParameterSubset? subset, int axis = 0) =>
        new() { Seed = 21, Axis = axis, Parameters = subset, CheckpointSha256 = checkpoint.Metadata.StateSha256 };

    private static SurfaceRequest Request(CheckpointInfo checkpoint, DirectionVector x) => new()
    {
        Checkpoint = checkpoint,
        X = x,
        Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 5), null),
        Data = [Train],
    };

    [Fact]
    public void ASubsetDirectionIsZeroOutsideAndTheWholeModelDrawInside()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var layout = ParameterLayout.Of(LandscapeRuntime.Load(), checkpoint);
        var subset = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, FirstLayer));
        var whole = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, null));

        var inside = Assert.Single(layout.Parameters, e => e.Name.StartsWith("conv1.", StringComparison.Ordinal));
        Assert.Equal("conv1.weight", inside.Name);
        foreach (var entry in layout.Parameters)
        {
            var got = subset.Parameters.AsSpan((int)entry.Offset, (int)entry.Length).ToArray();
            if (entry == inside) Assert.Equal(whole.Parameters.AsSpan((int)entry.Offset, (int)entry.Length).ToArray(), got);
            else Assert.All(got, v => Assert.Equal(0f, v));
        }
        // Filter-normalized within the subset: each conv1 filter has the norm of θ*'s filter.
        var theta = layout.FlattenParameters(CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint));
        var filterLength = (int)(inside.Length / inside.Shape[0]);
        for (var f = 0; f < inside.Shape[0]; f++)
        {
            var start = (int)inside.Offset + f * filterLength;
            var d = Math.Sqrt(subset.Parameters.AsSpan(start, filterLength).ToArray().Sum(v => (double)v * v));
            var w = Math.Sqrt(theta.AsSpan(start, filterLength).ToArray().Sum(v => (double)v * v));
            Assert.Equal(w, d, 1e-5 * w);
        }
        Assert.NotEqual(0, subset.Norm);
    }

    [Fact]
    public void ASurfaceAlongASubsetDirectionEqualsOneAlongAZeroElsewhereFileBitForBit()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var layout = ParameterLayout.Of(LandscapeRuntime.Load(), checkpoint);
        var whole = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, null));
        // The whole-model draw with every tensor but conv1.weight zeroed, written by the plain file writer (no recipe).
        var tensors = layout.Parameters.Select(e => new DirectionTensor(
            e.Name == "conv1.weight" ? whole.Parameters.AsSpan((int)e.Offset, (int)e.Length).ToArray() : new float[e.Length], e.Shape)).ToArray();
        var file = Path.Combine(checkpoints.NewFolder(), "zero-elsewhere.h5");
        DirectionFile.Write(file, new DirectionFileContent(tensors, null, new Dictionary<string, string>()));
        var fromFile = new DirectionSource { Recipe = new DirectionRecipe { Kind = DirectionKind.File, CheckpointSha256 = checkpoint.Metadata.StateSha256 }, FilePath = file }
            .Resolve(LandscapeRuntime.Load(), checkpoint);
        Assert.Equal(DirectionKind.File, fromFile.Recipe.Kind);

        var subsetSpec = new SurfaceSpec
        {
            Evaluation = new EvaluationSpec { Checkpoint = CheckpointSource.Of(checkpoint), Data = Train, Parameters = FirstLayer },
            Directions = DirectionSource.ForSurface([], 1, Recipe(checkpoint, FirstLayer), orthogonalize: false),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 5), null),
        };
        var planned = SurfacePlanner.Plan(LandscapeRuntime.Load(), subsetSpec, new RunOptions(), checkpoint);
        Assert.Equal(FirstLayer, planned.X.Recipe.Parameters);

        var alongSubset = SurfaceEngine.Compute(LandscapeRuntime.Load(), planned, new RecordingSurfaceObserver()).Values["train_loss"];
        var alongFile = SurfaceEngine.Compute(LandscapeRuntime.Load(), planned with { X = fromFile }, new RecordingSurfaceObserver()).Values["train_loss"];
        Assert.Equal(alongFile.Select(BitConverter.DoubleToInt64Bits), alongSubset.Select(BitConverter.DoubleToInt64Bits));
        // Not trivially flat: the loss moves along conv1 alone.
        Assert.NotEqual(alongSubset[0], alongSubset[2]);
    }

    [Fact]
    public void DirectionFilesRecordTheSubsetAndAResumeWithAnotherIsRefused()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var layout = ParameterLayout.Of(LandscapeRuntime.Load(), checkpoint);
        var direction = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, FirstLayer));
        var folder = checkpoints.NewFolder();
        var directionFile = Path.Combine(folder, "conv1.h5");
        DirectionStore.Write(directionFile, layout, [direction]);
        var read = Assert.Single(DirectionStore.Read(directionFile, layout, checkpoint.Metadata.StateSha256));
        Assert.Equal(["conv1.*"], read.Recipe.Parameters!.Patterns);
        Assert.Equal(direction.Recipe, read.Recipe);
        Assert.Equal(direction.Sha256, read.Sha256);

        var surfaceFile = Path.Combine(folder, "surface.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, direction), new RecordingSurfaceObserver(), surfaceFile);
        var before = File.ReadAllBytes(surfaceFile);
        var other = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, new ParameterSubset(["conv2.*"])));
        var error = Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, other), new RecordingSurfaceObserver(), surfaceFile));
        Assert.Contains(error.Differences, d => d.StartsWith("directions:", StringComparison.Ordinal));
        Assert.Equal(FirstLayer, Assert.Single(SurfaceStore.Read(surfaceFile).Metadata.Directions).Recipe.Parameters);
        Assert.Equal(before, File.ReadAllBytes(surfaceFile));
    }

    [Fact]
    public void APatternThatMatchesNothingIsAParameterProblem()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var error = Assert.Throws<SpecException>(() => DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, Recipe(checkpoint, new ParameterSubset(["conv1.*", "layer3.*"]))));
        Assert.Equal(SpecProblem.Parameter, error.Problem);
        Assert.Equal("layer3.*", error.Value);
        Assert.Contains("conv1.weight", error.Message);
    }

    [Fact]
    public void AGivenDirectionOfAnotherSubsetIsRefusedBySpec()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var spec = new SurfaceSpec
        {
            Evaluation = new EvaluationSpec { Checkpoint = CheckpointSource.Of(checkpoint), Data = Train, Parameters = FirstLayer },
            Directions = [new DirectionSource { Recipe = Recipe(checkpoint, null) }],
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 3), null),
        };
        Assert.Equal(SpecProblem.Parameter, Assert.Throws<SpecException>(spec.Validate).Problem);
    }
}
