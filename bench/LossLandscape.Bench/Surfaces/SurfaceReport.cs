using System.Globalization;
using System.Text;

namespace LossLandscape.Bench.Surfaces;

/// <summary>The tables, scaling lines and targets of issue 8, from what was measured and nothing else.</summary>
internal static class SurfaceReport
{
    private const double SpeedUpTarget = 3;
    private const double LossTolerance = 1e-4;
    private const double OverheadTarget = 1.1;

    /// <summary>
    /// The surface and its limit are two time spans measured minutes apart on a machine whose speed
    /// drifts ((b)'s limit measured 9.1–10.7 ms per pass in runs of one day): a surface a few percent
    /// under its limit is that noise; well under it, the limit itself was slowed.
    /// </summary>
    private const double PlausibleOverhead = 0.95;

    /// <summary>Other processes' share of the CPU above which a case's times are flagged as inflated.</summary>
    private const double QuietMachineShare = 0.05;

    /// <summary>Workloads whose speed-up the issue sets a target for.</summary>
    private static readonly char[] SpeedUpWorkloads = ['a', 'b'];

    public static void Print(IReadOnlyList<CaseMeasurement> measurements, SurfaceBenchOptions options, TimeSpan elapsed)
    {
        var targets = new List<string>();
        foreach (var m in measurements)
        {
            var load = m.ForeignCpuShare is { } share ? $"; other processes used {share:P0} of the CPU meanwhile" : "";
            Console.WriteLine(m.Case.Title + (m.Case.IsScaling ? " — scaling run" : "") + $"; {m.Samples:N0} samples, {m.Case.Points:N0} points, {options.Repeat} repetition(s){load}");
            Console.Write(Table(m));
            var b = m.BareForward;
            Console.WriteLine($"  limit = bare forward × points: {b.Workers} worker(s) × {b.ThreadsPerWorker} thread(s) ran {b.PassesPerWorker} pass(es) each at once, {Time(b.SecondsPerPass)} per pass (wall ÷ passes); reference: its fastest sweep setting, {Time(m.Tuning.Seconds)} per pass");
            Console.WriteLine($"  reference sweep: {Sweep(m.Tuning)}");
            var caseTargets = Targets(m);
            foreach (var line in caseTargets) Console.WriteLine("  " + line);
            targets.AddRange(caseTargets.Select(t => $"({m.Case.Key}) {t}"));
            Console.WriteLine();
        }

        var scaling = Scaling(measurements).ToList();
        if (scaling.Count > 0)
        {
            Console.WriteLine("Scaling (median time per point):");
            foreach (var line in scaling) Console.WriteLine("  " + line);
            Console.WriteLine();
        }

        Console.WriteLine("Targets:");
        foreach (var line in targets) Console.WriteLine("  " + line);
        Console.WriteLine($"Total bench time {elapsed.TotalMinutes:F1} min.");
    }

    public static string Sweep(ReferenceTuning tuning) =>
        string.Join("; ", tuning.Sweep.GroupBy(s => (s.Allocator, s.Threads)).Select(g =>
            $"{g.Key.Allocator}, {g.Key.Threads} thread(s): " + string.Join(", ", g.Select(s => $"batch {s.BatchSize} {Time(s.Seconds)}"))))
        + $" → {tuning.Allocator}, {tuning.Threads} thread(s), batch {tuning.BatchSize}";

    public static string Time(double seconds) => seconds switch
    {
        >= 100 => $"{seconds:F0} s",
        >= 10 => $"{seconds:F1} s",
        >= 1 => $"{seconds:F2} s",
        >= 0.1 => $"{seconds * 1e3:F0} ms",
        >= 0.01 => $"{seconds * 1e3:F1} ms",
        _ => $"{seconds * 1e3:F2} ms",
    };

    private static string Table(CaseMeasurement m)
    {
        var ours = m.Ours[0];
        var reference = m.Reference[0];
        string[][] rows =
        [
            ["engine", "setting", "total min", "median", "per point", "speed-up", "limit", "overhead", "peak RSS", "max |Δloss|", "max |Δacc| (pp)"],
            ["ours", $"{ours.Workers} workers × {ours.ThreadsPerPoint} thread, batch {ours.BatchSize}",
                Time(m.Ours.Min(r => r.Seconds)), Time(m.OursMedian), Time(m.OursPerPoint), Ratio(m.SpeedUp),
                Time(m.OursLimit), Ratio(m.OursOverhead), Mebibytes(m.Ours.Max(r => r.PeakRssKib)),
                m.MaxLossDifference.ToString("0.0e+00", CultureInfo.InvariantCulture), m.MaxAccuracyDifference.ToString("F3", CultureInfo.InvariantCulture)],
            ["reference", $"{reference.Threads} thread(s), batch {reference.BatchSize}, DataLoader",
                Time(m.Reference.Min(r => r.Seconds)), Time(m.ReferenceMedian), Time(m.ReferencePerPoint), "1×",
                Time(m.ReferenceLimit), Ratio(m.ReferenceOverhead), Mebibytes(m.Reference.Max(r => r.PeakRssKib)), "", ""],
        ];
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            // Names left-aligned, figures right-aligned.
            text.Append("  ").AppendJoin("  ", row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).AppendLine();
        }
        return text.ToString();
    }

    // Three decimals here: the table's two could show a miss such as 1.104× as the target itself.
    private static List<string> Targets(CaseMeasurement m)
    {
        var lines = new List<string>
        {
            $"{Verdict(m.MaxLossDifference <= LossTolerance)} loss within {LossTolerance:0e+0} of the reference at every point (max |Δ| {m.MaxLossDifference:0.0e+00})",
        };
        if (m.ForeignCpuShare > QuietMachineShare)
            lines.Add($"WARN other processes used {m.ForeignCpuShare:P0} of the CPU while this was measured: its times are inflated, rerun on a quiet machine");
        if (m.Case.IsScaling) return lines;
        if (SpeedUpWorkloads.Contains(m.Case.Workload))
            lines.Add($"{Verdict(m.SpeedUp >= SpeedUpTarget)} ours ≥ {SpeedUpTarget}× faster than the tuned reference ({m.SpeedUp:F3}×; reference under {m.Tuning.Allocator}"
                + (m.Tuning.Allocator == ReferenceAllocator.GlibcDefault ? ", the tuning the issue names)" : ", our malloc thresholds given to it too: stricter than the issue's tuning, which --reference-allocator glibc-default measures)"));
        lines.Add($"{Verdict(m.OursOverhead <= OverheadTarget)} per point ≤ {OverheadTarget}× bare forward ({m.OursOverhead:F3}×)");
        if (m.OursOverhead < PlausibleOverhead)
            lines.Add($"WARN the surface was more than {1 - PlausibleOverhead:P0} faster than its bare forward: the limit measurement was slowed down (other load), so this PASS says little");
        return lines;
    }

    private static IEnumerable<string> Scaling(IReadOnlyList<CaseMeasurement> measurements)
    {
        foreach (var small in measurements.Where(m => m.Case.IsScaling))
        {
            var large = measurements.FirstOrDefault(m => !m.Case.IsScaling && m.Case.Workload == small.Case.Workload);
            if (large is null) continue;
            string Describe(CaseMeasurement m) => $"{m.Case.Points:N0} points × {m.Samples:N0} samples";
            yield return $"({small.Case.Workload}) {small.Case.Training.Model.Architecture}, {Describe(small)} → {Describe(large)}: "
                + $"ours {Time(small.OursPerPoint)} → {Time(large.OursPerPoint)} (×{large.OursPerPoint / small.OursPerPoint:F2}); "
                + $"reference {Time(small.ReferencePerPoint)} → {Time(large.ReferencePerPoint)} (×{large.ReferencePerPoint / small.ReferencePerPoint:F2})";
        }
    }

    private static string Verdict(bool met) => met ? "PASS" : "MISS";

    private static string Ratio(double value) => $"{value:F2}×";

    private static string Mebibytes(long kib) => $"{kib / 1024.0:F0} MiB";
}
