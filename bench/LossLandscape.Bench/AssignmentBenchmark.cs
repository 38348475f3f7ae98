using System.Diagnostics;
using LossLandscape.Bench.Surfaces;
using LossLandscape.Core.Alignment;
using LossLandscape.Core.Data;

namespace LossLandscape.Bench;

/// <summary>
/// <see cref="LinearAssignment"/> against scipy's <c>linear_sum_assignment</c> (the same algorithm in
/// C++) on one seeded uniform random n×n similarity matrix, maximized as weight matching does.
/// </summary>
internal static class AssignmentBenchmark
{
    private const int Repeat = 5;

    public static void Run(int n)
    {
        var costs = new double[n, n];
        var bytes = new byte[n * n * sizeof(double)];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                costs[i, j] = ((ulong)DeterministicShuffle.DeriveSeed(512, i * n + j) >> 11) * (1.0 / (1UL << 53));
                BitConverter.TryWriteBytes(bytes.AsSpan((i * n + j) * sizeof(double)), costs[i, j]);
            }
        }

        LinearAssignmentResult ours = null!;
        var seconds = new List<double>();
        for (var repeat = 0; repeat < Repeat; repeat++)
        {
            var clock = Stopwatch.StartNew();
            ours = LinearAssignment.Solve(costs, maximize: true);
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        Console.WriteLine($"ours:  {n}×{n} maximized, min {seconds[0] * 1000:F1} ms, median {seconds[Repeat / 2] * 1000:F1} ms over {Repeat} runs; total {ours.Total:R}");

        var folder = Path.Combine(BenchPaths.WorkRoot, "assignment");
        Directory.CreateDirectory(folder);
        var costsPath = Path.Combine(folder, $"costs-{n}.f64");
        var resultPath = Path.Combine(folder, $"scipy-{n}.json");
        File.WriteAllBytes(costsPath, bytes);
        ChildProcess.Run(ReferenceRunner.Python, [Path.Combine(BenchPaths.RepositoryRoot, "bench", "reference", "assignment_reference.py"),
            "--costs", costsPath, "--n", n.ToString(), "--repeat", Repeat.ToString(), "--out", resultPath]);
        var scipy = BenchJson.Read<ScipyResult>(resultPath);
        var scipySeconds = scipy.Seconds.Order().ToArray();
        Console.WriteLine($"scipy: {n}×{n} maximized, min {scipySeconds[0] * 1000:F1} ms, median {scipySeconds[Repeat / 2] * 1000:F1} ms over {Repeat} runs; total {scipy.Total:R}");
        Console.WriteLine($"|Δ total| = {Math.Abs(ours.Total - scipy.Total):G3}; same assignment: {ours.ColumnOfRow.SequenceEqual(scipy.ColumnOfRow)}; ours/scipy median time {seconds[Repeat / 2] / scipySeconds[Repeat / 2]:F2}");
    }

    private sealed record ScipyResult(double Total, int[] ColumnOfRow, double[] Seconds);
}
