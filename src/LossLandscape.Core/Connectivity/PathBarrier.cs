namespace LossLandscape.Core.Connectivity;

/// <summary>The two barrier definitions along a path f(t), t from 0 to 1, each with the t where its maximum lies.</summary>
public static class PathBarrier
{
    /// <summary>
    /// Entezari et al. (ICLR 2022): max over t of f(t) − ((1 − t) f(0) + t f(1)), the rise above the
    /// chord between the endpoints. Written f(t) − f(0) − t (f(1) − f(0)), so that equal endpoints and
    /// a flat path give exactly 0.
    /// </summary>
    /// <param name="t">Increasing, from exactly 0 to exactly 1.</param>
    public static BarrierValue AboveChord(IReadOnlyList<double> t, IReadOnlyList<double> values) =>
        Maximum(t, values, i => values[i] - values[0] - t[i] * (values[^1] - values[0]));

    /// <summary>Frankle et al. (ICML 2020), Ainsworth et al. (ICLR 2023): max over t of f(t) − ½ (f(0) + f(1)).</summary>
    /// <param name="t">Increasing, from exactly 0 to exactly 1.</param>
    public static BarrierValue AboveMeanOfEnds(IReadOnlyList<double> t, IReadOnlyList<double> values) =>
        Maximum(t, values, i => values[i] - 0.5 * (values[0] + values[^1]));

    /// <summary>The largest rise and its t; the first t on ties. NaN when any value along the path is not finite: a diverging point has no finite barrier.</summary>
    private static BarrierValue Maximum(IReadOnlyList<double> t, IReadOnlyList<double> values, Func<int, double> rise)
    {
        if (t.Count != values.Count) throw new ArgumentException($"{t.Count} values of t but {values.Count} values.", nameof(values));
        if (t.Count < 2 || t[0] != 0 || t[^1] != 1) throw new ArgumentException("A barrier is taken along t from exactly 0 to exactly 1.", nameof(t));
        if (values.Any(v => !double.IsFinite(v))) return new BarrierValue(double.NaN, double.NaN);
        var best = 0;
        var bestRise = rise(0);
        for (var i = 1; i < values.Count; i++)
        {
            var r = rise(i);
            if (r > bestRise) (best, bestRise) = (i, r);
        }
        return new BarrierValue(bestRise, t[best]);
    }
}

/// <summary>A barrier's height and the t where it is reached.</summary>
public sealed record BarrierValue(double Height, double T);
