namespace LossLandscape.Core.Curvature;

/// <summary>
/// An eigenvalue density from stochastic Lanczos quadrature. <see cref="Density"/> on
/// <see cref="Grid"/> integrates to 1 (the grid reaches 6σ beyond the outermost nodes); the raw
/// Gauss-quadrature <see cref="Nodes"/> and <see cref="Weights"/> of every run are kept for moments
/// and re-smoothing.
/// </summary>
/// <param name="Grid">Evenly spaced eigenvalue positions, ascending.</param>
/// <param name="Density">Average over runs of Σ_j τ_j·N(t; θ_j, σ²) at each grid position.</param>
/// <param name="Nodes">Per run, the Ritz values θ_j of its tridiagonal matrix, ascending.</param>
/// <param name="Weights">Per run, τ_j = (first component of the j-th eigenvector of T)², summing to 1.</param>
/// <param name="Bandwidth">The Gaussian kernel's standard deviation σ.</param>
public sealed record SpectralDensity(double[] Grid, double[] Density, double[][] Nodes, double[][] Weights, double Bandwidth)
{
    public int Runs => Nodes.Length;

    /// <summary>
    /// Σ_j τ_j·θ_j^k averaged over runs, an estimate of tr(Hᵏ)/n (unbiased for Rademacher probes, and
    /// exact per run for k ≤ 2m − 1 with m Lanczos steps), with its standard error over runs.
    /// </summary>
    public (double Mean, double StandardError) Moment(int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "The moment order must not be negative.");
        var perRun = new double[Runs];
        for (var run = 0; run < Runs; run++)
        {
            for (var j = 0; j < Nodes[run].Length; j++) perRun[run] += Weights[run][j] * Math.Pow(Nodes[run][j], k);
        }
        return (perRun.Average(), SampleStatistics.StandardError(perRun));
    }
}
