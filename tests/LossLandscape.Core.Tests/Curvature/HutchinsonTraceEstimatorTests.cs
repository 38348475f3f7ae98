using LossLandscape.Core.Curvature;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Curvature;

public sealed class HutchinsonTraceEstimatorTests
{
    [Fact]
    public void EveryProbeGivesTheExactTraceOfADiagonalMatrix()
    {
        double[] diagonal = [3.5, -1, 0.25, 7, 2, -4];
        var estimator = new HutchinsonTraceEstimator(v => v.Select((x, i) => diagonal[i] * x).ToArray(), diagonal.Length) { Seed = 9 };

        var estimate = estimator.Estimate(5);

        Assert.All(estimate.Samples, s => Assert.Equal(diagonal.Sum(), s, 12));
        Assert.Equal(diagonal.Sum(), estimate.Trace, 12);
        Assert.Equal(0, estimate.StandardError, 12);
    }

    [Fact]
    public void EstimateOfAGeneralSymmetricMatrixIsWithinThreeStandardErrors()
    {
        LandscapeRuntime.Load();
        var matrix = SymmetricTestMatrix.Random(80, seed: 21);
        var estimate = new HutchinsonTraceEstimator(matrix.Apply, matrix.Dimension) { Seed = 1 }.Estimate(200);

        Assert.True(estimate.StandardError > 0);
        Assert.True(Math.Abs(estimate.Trace - matrix.Trace()) < 3 * estimate.StandardError,
            $"estimate {estimate.Trace} ± {estimate.StandardError}, trace {matrix.Trace()}");
    }
}
