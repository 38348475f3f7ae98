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

    public TraceEstimate Estimate(int probes) => Estimate(probes, []).Total;

    /// <summary>
    /// The trace and each group's share from the same probes, at no extra Hessian-vector product:
    /// z_gᵀ(Hz)_g per group, whose means add up to the whole estimate (to rounding).
    /// </summary>
    /// <param name="groups">Disjoint ranges of the vectors; they need not cover all of them.</param>
    public (TraceEstimate Total, IReadOnlyList<TraceEstimate> Groups) Estimate(int probes, IReadOnlyList<ParameterGroup> groups)
    {
        if (probes < 1) throw new ArgumentOutOfRangeException(nameof(probes), probes, "At least one probe is needed.");
        if (groups.FirstOrDefault(g => g.Offset < 0 || g.Length < 1 || g.Offset + g.Length > dimension) is { } outside)
            throw new ArgumentException($"Group '{outside.Name}' [{outside.Offset}, {outside.Offset + outside.Length}) lies outside the {dimension} entries.", nameof(groups));
        var random = new DeterministicNormal(Seed);
        var samples = new double[probes];
        var groupSamples = groups.Select(_ => new double[probes]).ToArray();
        for (var i = 0; i < probes; i++)
        {
            Cancellation.ThrowIfCancellationRequested();
            var z = RandomProbes.Rademacher(random, dimension);
            var hz = apply(z);
            DenseVector.EnsureOperatorResult(hz, dimension);
            samples[i] = DenseVector.Dot(z, hz);
            for (var g = 0; g < groups.Count; g++)
            {
                double sum = 0;
                for (var k = groups[g].Offset; k < groups[g].Offset + groups[g].Length; k++) sum += z[k] * hz[k];
                groupSamples[g][i] = sum;
            }
        }
        return (Summarize(samples), groupSamples.Select(Summarize).ToArray());
    }

    private static TraceEstimate Summarize(double[] samples) => new(samples.Average(), SampleStatistics.StandardError(samples), samples);
}
