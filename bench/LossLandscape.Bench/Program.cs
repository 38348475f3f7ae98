using System.Diagnostics;
using LossLandscape.Bench.Surfaces;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;
using LossLandscape.Core.Trajectories;

// Benchmarks that print times; speed is never asserted by a unit test.
var task = args.FirstOrDefault() ?? "pca";
var runtime = LandscapeRuntime.Load();
if (task == EngineRun.SubCommand) return EngineRun.Run(args[1]);
Console.WriteLine($"LossLandscape bench: {task}; {Environment.ProcessorCount} cores; libtorch from {runtime.Report.LibTorchDirectory}");
switch (task)
{
    case "pca":
        var checkpoints = args.Length > 1 ? int.Parse(args[1]) : 100;
        var parameters = args.Length > 2 ? int.Parse(args[2]) : 1_000_000;
        Pca(checkpoints, parameters);
        break;
    case "profile":
        LossLandscape.Bench.ProfileBenchmark.Run();
        break;
    case "assignment":
        LossLandscape.Bench.AssignmentBenchmark.Run(args.Length > 1 ? int.Parse(args[1]) : 512);
        break;
    case "levers":
        LossLandscape.Bench.LeverBenchmark.Run();
        break;
    case "surfaces":
        SurfaceBenchOptions options;
        try
        {
            options = SurfaceBenchOptions.Parse(args[1..]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message} Usage: {SurfaceBenchOptions.Usage}");
            return 2;
        }
        return SurfaceBench.Run(options);
    default:
        Console.Error.WriteLine($"Unknown benchmark '{task}'. Known: pca [checkpoints] [parameters]; assignment [n]; levers; profile; {SurfaceBenchOptions.Usage}.");
        return 2;
}
return 0;

static void Pca(int checkpoints, int parameters)
{
    // A drifting random walk, like a training trajectory, from a fixed seed.
    var seed = 7L;
    var rows = new float[checkpoints][];
    var position = new float[parameters];
    for (var i = 0; i < checkpoints; i++)
    {
        var step = DeterministicShuffle.DeriveSeed(seed, i);
        for (var j = 0; j < parameters; j++)
        {
            step = DeterministicShuffle.DeriveSeed(step, j);
            position[j] += (step & 0xffff) / 65536f - 0.5f + 0.1f * (checkpoints - i) / checkpoints;
        }
        rows[i] = (float[])position.Clone();
    }
    foreach (var row in rows)
        for (var j = 0; j < parameters; j++) row[j] -= rows[^1][j];

    var times = new List<double>();
    for (var repeat = 0; repeat < 3; repeat++)
    {
        var clock = Stopwatch.StartNew();
        var (ratios, _, components) = TrajectoryPca.Decompose(rows, 2);
        foreach (var row in rows) TrajectoryPca.Project(row, components, ProjectionMethod.Orthogonal);
        times.Add(clock.Elapsed.TotalSeconds);
        if (repeat == 0) Console.WriteLine($"explained variance ratio {ratios[0]:F4}, {ratios[1]:F4}");
    }
    times.Sort();
    Console.WriteLine($"PCA of {checkpoints} checkpoints × {parameters:N0} parameters (Gram route, decomposition + projection): min {times[0]:F2} s, median {times[1]:F2} s over 3 runs");
}
