using LossLandscape.Core.Surfaces;

namespace LossLandscape.Bench.Surfaces;

/// <summary>Everything measured for one case, and the figures the report derives from it.</summary>
/// <param name="ForeignCpuShare">Share of the machine's CPU time other processes used while the case was measured (null: unknown).</param>
internal sealed record CaseMeasurement(
    BenchCase Case,
    int Samples,
    IReadOnlyList<EngineRunResult> Ours,
    IReadOnlyList<ReferenceRunResult> Reference,
    ReferenceTuning Tuning,
    BareForward BareForward,
    double? ForeignCpuShare)
{
    private static readonly string LossKey = SurfaceResult.LossKey("train");
    private static readonly string AccuracyKey = SurfaceResult.AccuracyKey("train");

    public double OursMedian => Median(Ours.Select(r => r.Seconds));

    public double ReferenceMedian => Median(Reference.Select(r => r.Seconds));

    public double OursPerPoint => OursMedian / Case.Points;

    public double ReferencePerPoint => ReferenceMedian / Case.Points;

    public double SpeedUp => ReferenceMedian / OursMedian;

    /// <summary>Our bare forward over the data once per point.</summary>
    public double OursLimit => BareForward.SecondsPerPass * Case.Points;

    /// <summary>The reference's bare forward (its best setting) once per point.</summary>
    public double ReferenceLimit => Tuning.Seconds * Case.Points;

    public double OursOverhead => OursMedian / OursLimit;

    public double ReferenceOverhead => ReferenceMedian / ReferenceLimit;

    public double MaxLossDifference => MaxDifference(LossKey);

    public double MaxAccuracyDifference => MaxDifference(AccuracyKey);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Over every point of every repetition (repetition i of ours against repetition i of the reference); NaN if any value is.</summary>
    private double MaxDifference(string key)
    {
        var largest = 0.0;
        foreach (var (ours, reference) in Ours.Zip(Reference))
        {
            var a = ours.Values[key];
            var b = reference.Values[key];
            if (a.Length != b.Length) throw new InvalidDataException($"{key}: ours has {a.Length} points, the reference {b.Length}.");
            for (var i = 0; i < a.Length; i++)
            {
                var difference = Math.Abs(a[i] - b[i]);
                if (double.IsNaN(difference)) return double.NaN;
                largest = Math.Max(largest, difference);
            }
        }
        return largest;
    }
}
