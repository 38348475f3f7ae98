using LossLandscape.Core.Data;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// Extreme eigenvalues of a symmetric operator (the Hessian through <see cref="HessianOperator.Apply"/>)
/// by the Lanczos method with full re-orthogonalization. Both ends of the spectrum converge from the
/// same Krylov space, so <see cref="Smallest"/> runs Lanczos directly rather than the paper code's
/// shifted solve on H − 0.51·λmax·I (scipy eigsh twice); that shift only exists because ARPACK's
/// default mode targets the largest magnitudes.
/// </summary>
/// <remarks>
/// Convergence: a Ritz pair (θ, y) counts as converged when the Lanczos residual estimate
/// |β_j·s_j| (which equals ‖Hy − θy‖ in exact arithmetic) is at most
/// <see cref="RelativeTolerance"/> × max(|θ|, 10⁻³·θ_scale), θ_scale being the largest |Ritz value| —
/// so eigenvalues near zero (a Hessian's null space) are judged against the spectrum's scale rather
/// than against themselves. The iteration cap defaults to min(n, 100 + 2k). The start vector is a
/// seeded Gaussian, so results are reproducible.
/// </remarks>
public sealed class LanczosEigensolver
{
    private const double NearZeroScale = 1e-3;

    private readonly Func<double[], double[]> apply;
    private readonly int dimension;

    public LanczosEigensolver(Func<double[], double[]> apply, int dimension)
    {
        ArgumentNullException.ThrowIfNull(apply);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        this.apply = apply;
        this.dimension = dimension;
    }

    /// <summary>Residual tolerance relative to the eigenvalue (see the class remarks).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Most Lanczos steps; null: min(n, 100 + 2k).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Seed of the start vector and of restart vectors after a breakdown.</summary>
    public long Seed { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>The <paramref name="k"/> algebraically largest eigenvalues, largest first.</summary>
    public EigenResult Largest(int k) => Solve(k, largest: true);

    /// <summary>The <paramref name="k"/> algebraically smallest eigenvalues, smallest first.</summary>
    public EigenResult Smallest(int k) => Solve(k, largest: false);

    private EigenResult Solve(int k, bool largest)
    {
        if (k < 1 || k > dimension) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie between 1 and the dimension {dimension}.");
        if (!(RelativeTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "The tolerance must be positive.");
        var cap = Math.Min(dimension, MaxIterations ?? 100 + 2 * k);
        if (cap < k) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, $"The iteration cap must be at least k = {k}.");

        var random = new DeterministicNormal(Seed);
        var process = new LanczosProcess(apply, dimension, RandomProbes.Gaussian(random, dimension));
        var applications = 0;
        (double[] Values, double[,] Vectors) ritz = default;
        int[] wanted = [];
        var converged = false;
        while (true)
        {
            Cancellation.ThrowIfCancellationRequested();
            process.Step(random);
            applications++;
            var steps = process.Steps;
            var last = steps >= cap || process.Exhausted;
            // Solving T costs O(j³); checking every step would dominate for cheap operators, so the check thins out as j grows.
            if (steps < k || (!last && steps > 20 && steps % Math.Max(1, steps / 20) != 0)) continue;
            // Right after a breakdown every Ritz value is exact, yet only for the invariant subspace found so far; the extremes may lie outside it.
            if (!last && process.Betas[^1] == 0) continue;
            ritz = SymmetricTridiagonalEigen.Solve(process.Alphas, process.Betas);
            wanted = largest
                ? Enumerable.Range(0, k).Select(i => steps - 1 - i).ToArray()
                : Enumerable.Range(0, k).ToArray();
            converged = IsConverged(ritz, wanted, process.Betas[^1]);
            if (converged || last) break;
        }

        var vectors = new double[k][];
        var eigenvalues = new double[k];
        var residuals = new double[k];
        for (var i = 0; i < k; i++)
        {
            Cancellation.ThrowIfCancellationRequested();
            var column = wanted[i];
            eigenvalues[i] = ritz.Values[column];
            var y = new double[dimension];
            for (var j = 0; j < process.Steps; j++) DenseVector.AddScaled(y, ritz.Vectors[j, column], process.Basis[j]);
            DenseVector.Scale(y, 1.0 / DenseVector.Norm(y));
            vectors[i] = y;
            var hy = apply(y);
            DenseVector.EnsureOperatorResult(hy, dimension);
            applications++;
            var residual = (double[])hy.Clone();
            DenseVector.AddScaled(residual, -eigenvalues[i], y);
            residuals[i] = DenseVector.Norm(residual);
        }
        return new EigenResult(eigenvalues, vectors, residuals, process.Steps, applications, converged);
    }

    private bool IsConverged((double[] Values, double[,] Vectors) ritz, int[] wanted, double lastBeta)
    {
        var scale = ritz.Values.Max(Math.Abs);
        var lastRow = ritz.Values.Length - 1;
        foreach (var column in wanted)
        {
            var estimate = Math.Abs(lastBeta * ritz.Vectors[lastRow, column]);
            if (estimate > RelativeTolerance * Math.Max(Math.Abs(ritz.Values[column]), NearZeroScale * scale)) return false;
        }
        return true;
    }
}
