using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Tests.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class HessianAnalysisTests(TrainedCheckpoints trained) : IClassFixture<TrainedCheckpoints>
{
    private readonly LandscapeRuntime runtime = LandscapeRuntime.Load();

    private static readonly DatasetReference Samples = new("Digits", MaxSamples: 60, SubsetSeed: 2);

    [Fact]
    public void SpectrumIsTheOperatorsAndTheEigenvectorsAreSavedAsDirections()
    {
        var checkpoint = trained.Cnn[^1];
        var file = Path.Combine(trained.NewFolder(), "top.h5");
        var options = new HessianAnalysisOptions { Dataset = Samples, Top = 2, Trace = true, Probes = 4, Seed = 3, Float64 = true, EigenvectorFile = file };
        var reported = new List<int>();

        var result = new HessianAnalysis(runtime, checkpoint, options).Run(reported.Add);

        using var data = DatasetCatalog.Load(runtime, Samples);
        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        // The loss of the float32 model, taken before the operator turns it into float64.
        var loss = Evaluation.Evaluate(model, data).Loss;
        using var hessian = new HessianOperator(model, data, weightsOnly: true, float64: true);
        var solver = new LanczosEigensolver(hessian.Apply, hessian.Dimension) { Seed = 3 };
        var top = solver.Largest(2);
        Assert.Equal(60, result.SampleCount);
        Assert.Equal(loss, result.Loss);
        Assert.Equal(hessian.Dimension, result.Dimension);
        Assert.Equal(top.Eigenvalues[0], result.Largest.Eigenvalues[0], 1e-9 * Math.Abs(top.Eigenvalues[0]));
        Assert.Equal(top.Eigenvalues[1], result.Largest.Eigenvalues[1], 1e-9 * Math.Abs(top.Eigenvalues[0]));
        Assert.Equal(solver.Smallest(1).Eigenvalues[0], result.MinEigenvalue, 1e-9 * Math.Abs(top.Eigenvalues[0]));
        Assert.Equal(4, result.Trace!.Probes);
        Assert.Null(result.Density);
        Assert.Equal(Enumerable.Range(1, result.HessianVectorProducts), reported);

        Assert.Equal(file, result.EigenvectorFile);
        var saved = DirectionStore.Read(file, ParameterLayout.Of(runtime, checkpoint), checkpoint.Metadata.StateSha256);
        Assert.Equal(result.Eigenvectors.Select(e => e.Sha256), saved.Select(e => e.Sha256));
        Assert.All(saved, e => Assert.Equal(DirectionKind.Eigenvector, e.Recipe.Kind));
    }

    [Fact]
    public void APointAlongOneDirectionTakesNoBeta()
    {
        var checkpoint = trained.Cnn[^1];
        var direction = DirectionBuilder.Build(runtime, checkpoint, new DirectionRecipe { Seed = 1, CheckpointSha256 = checkpoint.Metadata.StateSha256 });

        var error = Assert.Throws<ArgumentException>(() => new HessianAnalysis(runtime, checkpoint, new HessianAnalysisOptions { Dataset = Samples, Directions = [direction], Alpha = 0.5, Beta = 0.1 }));

        Assert.Contains("second direction", error.Message);
    }
}
