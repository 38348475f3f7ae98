using LossLandscape.Core.Data;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// The Hessian's eigenvalue density by stochastic Lanczos quadrature, as PyHessian computes it: each
/// run starts Lanczos (full re-orthogonalization) from a normalised seeded Rademacher vector v, and
/// the eigen-decomposition T = SΘSᵀ of its tridiagonal matrix gives Gauss-quadrature nodes θ_j and
/// weights τ_j = S_{0j}², so that vᵀf(H)v ≈ Σ_j τ_j f(θ_j). Smoothing each node with a Gaussian of
/// standard deviation σ = <see cref="BandwidthFraction"/> × (spectral range of all nodes) gives the
/// density. PyHessian instead fixes σ² = 10⁻⁵·max(1, range) on a range-normalised axis; a fraction of
/// the range keeps the plot's resolution independent of the Hessian's scale.
/// </summary>
public sealed class SpectralDensityEstimator
{
    /// <summary>The grid reaches this many σ beyond the outermost node, so the kernels' mass outside it is below 10⁻⁹.</summary>
    private const double GridMarginInBandwidths = 6;

    private readonly Func<double[], double[]> apply;
    private readonly int dimension;

    public SpectralDensityEstimator(Func<double[], double[]> apply, int dimension)
    {
        ArgumentNullException.ThrowIfNull(apply);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        this.apply = apply;
        this.dimension = dimension;
    }

    public long Seed { get; init; }

    /// <summary>σ as a fraction of the nodes' range (of their largest magnitude, or 1, when all nodes coincide).</summary>
    public double BandwidthFraction { get; init; } = 0.01;

    public int GridPoints { get; init; } = 1000;

    public CancellationToken Cancellation { get; init; }

    /// <param name="runs">Independent start vectors (PyHessian: 1).</param>
    /// <param name="steps">Lanczos steps per run (PyHessian: 100); capped at the dimension, and a run stops early at an invariant subspace, where its quadrature is exact.</param>
    public SpectralDensity Estimate(int runs = 1, int steps = 100)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "At least one run is needed.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one Lanczos step is needed.");
        if (!(BandwidthFraction > 0)) throw new ArgumentOutOfRangeException(nameof(BandwidthFraction), BandwidthFraction, "The bandwidth fraction must be positive.");
        if (GridPoints < 2) throw new ArgumentOutOfRangeException(nameof(GridPoints), GridPoints, "The grid needs at least 2 points.");

        var random = new DeterministicNormal(Seed);
        var nodes = new double[runs][];
        var weights = new double[runs][];
        for (var run = 0; run < runs; run++)
        {
            var process = new LanczosProcess(apply, dimension, RandomProbes.Rademacher(random, dimension));
            for (var step = 0; step < Math.Min(steps, dimension) && !process.Exhausted; step++)
            {
                Cancellation.ThrowIfCancellationRequested();
                process.Step(restartSource: null);
            }
            var (values, vectors) = SymmetricTridiagonalEigen.Solve(process.Alphas, process.Betas);
            nodes[run] = values;
            weights[run] = Enumerable.Range(0, values.Length).Select(j => vectors[0, j] * vectors[0, j]).ToArray();
        }

        var lowest = nodes.Min(n => n[0]);
        var highest = nodes.Max(n => n[^1]);
        var range = highest - lowest;
        var sigma = BandwidthFraction * (range > 0 ? range : Math.Max(Math.Max(Math.Abs(lowest), Math.Abs(highest)), 1.0));
        var start = lowest - GridMarginInBandwidths * sigma;
        var spacing = (highest + GridMarginInBandwidths * sigma - start) / (GridPoints - 1);
        var grid = new double[GridPoints];
        var density = new double[GridPoints];
        var normalisation = 1.0 / (runs * sigma * Math.Sqrt(2 * Math.PI));
        for (var i = 0; i < GridPoints; i++)
        {
            var t = start + i * spacing;
            grid[i] = t;
            double sum = 0;
            for (var run = 0; run < runs; run++)
            {
                for (var j = 0; j < nodes[run].Length; j++)
                {
                    var z = (t - nodes[run][j]) / sigma;
                    sum += weights[run][j] * Math.Exp(-0.5 * z * z);
                }
            }
            density[i] = sum * normalisation;
        }
        return new SpectralDensity(grid, density, nodes, weights, sigma);
    }
}
