using LossLandscape.Core.Data;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// Hutchinson's estimator tr(H) ≈ mean of zᵀHz over Rademacher probes z (entries ±1), as PyHessian
/// computes the trace: unbiased, and exact for every probe when H is diagonal. Probes are seeded, so
/// estimates are reproducible.
/// </summary>
public sealed class HutchinsonTraceEstimator
{
    private readonly Func<double[], double[]> apply;
    private readonly int dimension;

    public HutchinsonTraceEstimator(Func<double[], double[]> apply, int dimension)
    {
        ArgumentNullException.ThrowIfNull(apply);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        this.apply = apply;
        this.dimension = dimension;
    }

    public long Seed { get; init; }

    public CancellationToken Cancellation { get; init; }

    public TraceEstimate Estimate(int probes)
    {
        if (probes < 1) throw new ArgumentOutOfRangeException(nameof(probes), probes, "At least one probe is needed.");
        var random = new DeterministicNormal(Seed);
        var samples = new double[probes];
        for (var i = 0; i < probes; i++)
        {
            Cancellation.ThrowIfCancellationRequested();
            var z = RandomProbes.Rademacher(random, dimension);
            var hz = apply(z);
            DenseVector.EnsureOperatorResult(hz, dimension);
            samples[i] = DenseVector.Dot(z, hz);
        }
        return new TraceEstimate(samples.Average(), SampleStatistics.StandardError(samples), samples);
    }
}
