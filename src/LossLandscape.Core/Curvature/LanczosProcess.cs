using LossLandscape.Core.Data;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// The symmetric Lanczos recurrence with full re-orthogonalization: after j steps, T = QᵀHQ is the
/// j×j tridiagonal matrix (<see cref="Alphas"/> on the diagonal, <see cref="Betas"/> beside it) and Q
/// the orthonormal Krylov basis. Full re-orthogonalization (classical Gram–Schmidt, twice) costs
/// O(n·j) per step but keeps spurious copies of converged eigenvalues out of T, which at the few
/// hundred steps used here is cheaper than the operator itself.
/// </summary>
internal sealed class LanczosProcess
{
    /// <summary>β below this fraction of ‖T‖ means the Krylov space is invariant (H·Q ⊂ span Q).</summary>
    private const double BreakdownTolerance = 1e-10;

    private readonly Func<double[], double[]> apply;
    private readonly int dimension;
    private readonly List<double[]> basis = [];
    private readonly List<double> alphas = [];
    private readonly List<double> betas = [];
    private double normEstimate;

    public LanczosProcess(Func<double[], double[]> apply, int dimension, double[] start)
    {
        this.apply = apply;
        this.dimension = dimension;
        var norm = DenseVector.Norm(start);
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException("The start vector must be finite and non-zero.", nameof(start));
        var first = (double[])start.Clone();
        DenseVector.Scale(first, 1.0 / norm);
        basis.Add(first);
    }

    public IReadOnlyList<double[]> Basis => basis;

    public IReadOnlyList<double> Alphas => alphas;

    /// <summary>β_i couples basis vectors i and i + 1; the last one is the norm of the residual after the last step.</summary>
    public IReadOnlyList<double> Betas => betas;

    public int Steps => alphas.Count;

    /// <summary>True when no further step is possible: the basis spans the whole space, or an invariant subspace was reached without a restart source.</summary>
    public bool Exhausted { get; private set; }

    /// <summary>
    /// One step: α_j, β_j and the next basis vector. At a breakdown (β_j ≈ 0) the recurrence restarts
    /// from a fresh random vector orthogonal to the basis when <paramref name="restartSource"/> is given —
    /// the way to reach eigenvalues the start vector is blind to, and further copies of repeated ones —
    /// and otherwise stops, which is right for quadrature, where the invariant subspace is the whole answer.
    /// </summary>
    public void Step(DeterministicNormal? restartSource)
    {
        if (Exhausted) throw new InvalidOperationException("The Lanczos process is exhausted.");
        var j = alphas.Count;
        var q = basis[j];
        var w = apply(q);
        DenseVector.EnsureOperatorResult(w, dimension);
        w = (double[])w.Clone();
        var alpha = DenseVector.Dot(w, q);
        DenseVector.AddScaled(w, -alpha, q);
        if (j > 0) DenseVector.AddScaled(w, -betas[j - 1], basis[j - 1]);
        Reorthogonalize(w);
        var beta = DenseVector.Norm(w);
        alphas.Add(alpha);
        normEstimate = Math.Max(normEstimate, Math.Abs(alpha) + beta + (j > 0 ? betas[j - 1] : 0));

        if (basis.Count == dimension)
        {
            // The basis spans everything: T is similar to H and the residual is zero in exact arithmetic.
            betas.Add(0);
            Exhausted = true;
            return;
        }
        if (beta > BreakdownTolerance * normEstimate)
        {
            betas.Add(beta);
            DenseVector.Scale(w, 1.0 / beta);
            basis.Add(w);
            return;
        }
        betas.Add(0);
        if (restartSource is null)
        {
            Exhausted = true;
            return;
        }
        var fresh = RandomProbes.Gaussian(restartSource, dimension);
        Reorthogonalize(fresh);
        var freshNorm = DenseVector.Norm(fresh);
        if (!(freshNorm > 0))
        {
            Exhausted = true;
            return;
        }
        DenseVector.Scale(fresh, 1.0 / freshNorm);
        basis.Add(fresh);
    }

    private void Reorthogonalize(double[] w)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var q in basis) DenseVector.AddScaled(w, -DenseVector.Dot(w, q), q);
        }
    }
}
