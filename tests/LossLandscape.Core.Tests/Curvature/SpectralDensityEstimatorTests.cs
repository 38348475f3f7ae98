using LossLandscape.Core.Curvature;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class SpectralDensityEstimatorTests
{
    [Fact]
    public void DensityIntegratesToOne()
    {
        var matrix = SymmetricTestMatrix.Random(60, seed: 4);
        var density = new SpectralDensityEstimator(matrix.Apply, matrix.Dimension) { Seed = 2 }.Estimate(runs: 3, steps: 30);

        double integral = 0;
        for (var i = 1; i < density.Grid.Length; i++) integral += 0.5 * (density.Density[i] + density.Density[i - 1]) * (density.Grid[i] - density.Grid[i - 1]);

        Assert.Equal(1.0, integral, 1e-3);
        Assert.All(density.Weights, w => Assert.Equal(1.0, w.Sum(), 10));
    }

    [Fact]
    public void FirstTwoMomentsMatchTracesOverDimension()
    {
        var matrix = SymmetricTestMatrix.Random(50, seed: 6);
        var density = new SpectralDensityEstimator(matrix.Apply, matrix.Dimension) { Seed = 7 }.Estimate(runs: 40, steps: 10);

        var (first, firstError) = density.Moment(1);
        var (second, secondError) = density.Moment(2);

        Assert.Equal(1.0, density.Moment(0).Mean, 10);
        Assert.True(Math.Abs(first - matrix.Trace() / 50) < 4 * firstError, $"{first} ± {firstError} vs {matrix.Trace() / 50}");
        Assert.True(Math.Abs(second - matrix.TraceOfSquare() / 50) < 4 * secondError, $"{second} ± {secondError} vs {matrix.TraceOfSquare() / 50}");
    }

    [Fact]
    public void ARunStopsAtAnInvariantSubspaceWithExactNodes()
    {
        // Two distinct eigenvalues: Lanczos breaks down after two steps, and the nodes are those eigenvalues.
        var density = new SpectralDensityEstimator(v => v.Select((x, i) => (i % 2 == 0 ? 2.0 : -1.0) * x).ToArray(), 20).Estimate(runs: 1, steps: 15);

        Assert.Equal([-1.0, 2.0], density.Nodes[0].Select(v => Math.Round(v, 10)));
        Assert.Equal([0.5, 0.5], density.Weights[0].Select(v => Math.Round(v, 10)));
    }
}
