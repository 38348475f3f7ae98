using System.Diagnostics;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The <c>surfaces</c> benchmark: each workload's surface computed by our engine (a child process
/// per repetition) and by the tuned paper-style PyTorch reference (likewise), alternating, then
/// one table per workload.
/// </summary>
internal static class SurfaceBench
{
    public static int Run(SurfaceBenchOptions options)
    {
        try
        {
            ComputeDevice.Parse(options.Device).EnsureAvailable(LandscapeRuntime.Load());
        }
        catch (Exception e) when (e is ArgumentException or DeviceUnavailableException)
        {
            Console.Error.WriteLine($"--device {options.Device}: {e.Message}");
            return 2;
        }
        var cases = BenchCases.For(options);
        Console.WriteLine($"Surface benchmark: {cases.Count} run(s) × {options.Repeat} repetition(s){(options.Quick ? ", quick grids" : "")}, device {options.Device}{(options.FoldBatchNorm ? ", ours with BatchNorm folded" : "")}; work folder {BenchPaths.WorkRoot}");
        ReferenceRunner.EnsureTorch();
        var clock = Stopwatch.StartNew();
        var tunings = new Dictionary<string, ReferenceTuning>();
        var bareForwards = new Dictionary<string, BareForward>();
        var measurements = cases.Select(c => Measure(c, options, tunings, bareForwards)).ToList();
        Console.WriteLine();
        SurfaceReport.Print(measurements, options, clock.Elapsed);
        return 0;
    }

    /// <param name="tunings">Reference settings by checkpoint and data, so a scaling run on the same data reuses its workload's.</param>
    /// <param name="bareForwards">
    /// Our fastest bare forward by checkpoint and data, over every run: measured each time, because a
    /// single measurement that other load slowed down would raise the limit above what the engine reaches.
    /// </param>
    private static CaseMeasurement Measure(BenchCase benchCase, SurfaceBenchOptions options, Dictionary<string, ReferenceTuning> tunings, Dictionary<string, BareForward> bareForwards)
    {
        Console.WriteLine(benchCase.Title + (benchCase.IsScaling ? " (scaling)" : ""));
        var checkpoint = BenchPreparation.Checkpoint(benchCase.Training);
        var (x, y) = BenchDirections.Build(checkpoint, benchCase.Grid.IsTwoDimensional);
        var export = BenchPreparation.ExportForReference(benchCase, checkpoint, x, y);
        var folder = BenchPaths.CaseFolder(benchCase);
        var dataKey = $"{checkpoint.Metadata.StateSha256} {benchCase.Data}";
        var foreignLoad = ForeignLoad.Start();

        if (!tunings.TryGetValue(dataKey, out var tuning))
        {
            tuning = ReferenceRunner.Tune(export, Fresh(Path.Combine(folder, "reference-tune.json")), options.Device, options.Quick, options.ReferenceAllocators);
            tunings[dataKey] = tuning;
            Console.WriteLine($"  reference tuning, bare forward over the data: {SurfaceReport.Sweep(tuning)}");
        }

        var ours = new List<EngineRunResult>();
        var reference = new List<ReferenceRunResult>();
        var (program, prefix) = ChildProcess.Self();
        for (var repetition = 1; repetition <= options.Repeat; repetition++)
        {
            var spec = new EngineRunSpec(checkpoint.StatePath, benchCase.Data, benchCase.Grid.X, benchCase.Grid.Y, x.Sha256, y?.Sha256,
                options.Device, options.FoldBatchNorm, Fresh(Path.Combine(folder, $"ours-{repetition}.json")));
            var specPath = Path.Combine(folder, $"ours-{repetition}.spec.json");
            BenchJson.Write(specPath, spec);
            ChildProcess.Run(program, [.. prefix, EngineRun.SubCommand, specPath]);
            var run = BenchJson.Read<EngineRunResult>(spec.ResultPath);
            if (!bareForwards.TryGetValue(dataKey, out var fastest) || run.BareForward.SecondsPerPass < fastest.SecondsPerPass)
                bareForwards[dataKey] = run.BareForward;
            ours.Add(run);
            Console.WriteLine($"  ours {repetition}/{options.Repeat}: {SurfaceReport.Time(run.Seconds)}");

            var referenceRun = ReferenceRunner.Surface(export, tuning, Fresh(Path.Combine(folder, $"reference-{repetition}.json")), options.Device);
            reference.Add(referenceRun);
            Console.WriteLine($"  reference {repetition}/{options.Repeat}: {SurfaceReport.Time(referenceRun.Seconds)}");
        }
        return new CaseMeasurement(benchCase, DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, benchCase.Data).Count, ours, reference, tuning, bareForwards[dataKey], foreignLoad?.Share());
    }

    /// <summary>Removes an earlier run's file, so a child that fails before writing cannot be read as having succeeded.</summary>
    private static string Fresh(string path)
    {
        File.Delete(path);
        return path;
    }
}
