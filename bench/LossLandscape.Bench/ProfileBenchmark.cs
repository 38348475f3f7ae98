using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench;

/// <summary>
/// Where the time of one surface point goes, as one engine worker computes it (one intra-op thread,
/// channels-last maps, batch 128, loss and accuracy): every module's own time from forward hooks,
/// grouped by layer shape, with its arithmetic rate against the core's measured multiply-add peak.
/// This is the profile behind issue 8's argument about what can and cannot be removed.
/// </summary>
internal static class ProfileBenchmark
{
    private const int Points = 5;

    public static void Run()
    {
        LandscapeRuntime.Load().ApplyThreadCount(1);
        var peak = BenchMeasure.FmaPeakGigaflops();
        var sgemm = BenchMeasure.SgemmGigaflops();
        Console.WriteLine($"One core: {peak:F0} GFLOP/s float32 multiply-add peak (a C# loop of independent FMAs), {sgemm:F0} GFLOP/s one-thread sgemm 2048³ (MKL).");
        Profile("(b) DigitsCnn", new ModelSpec { Architecture = "DigitsCnn" }, new DatasetReference(DigitsData.Name), peak);
        Profile("(a) ResNet-20", new ModelSpec { Architecture = "ResNet20", InputChannels = 3, InputHeight = 32, InputWidth = 32 },
            new DatasetReference(SyntheticCifarData.Name), peak);
    }

    private static void Profile(string title, ModelSpec spec, DatasetReference reference, double peak)
    {
        var arrays = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference);
        using var data = new PreloadedDataset(LandscapeRuntime.Load(), reference, arrays, channelsLast: true);
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec, seed: 1);
        ChannelsLast.Apply(model);
        model.eval();
        var parameterCount = (int)ParameterLayout.Of(model).ParameterLength;
        var recipe = new DirectionRecipe { Seed = 1, CheckpointSha256 = "bench" };
        using var evaluator = new SurfaceEvaluator(model,
            new DirectionVector(recipe, BenchMeasure.RandomVector(parameterCount, 2)),
            new DirectionVector(recipe with { Axis = 1 }, BenchMeasure.RandomVector(parameterCount, 3)));

        var point = 0;
        void NextPoint() { point++; evaluator.MoveTo(0.01 * point, -0.02 * point); }
        var place = BenchMeasure.MinimumMilliseconds(NextPoint, 50);
        var unhooked = BenchMeasure.MinimumMilliseconds(() => { NextPoint(); Evaluation.Evaluate(model, data); }, Points);

        using var profiler = ModuleProfiler.Attach(model);
        var hooked = BenchMeasure.MinimumMilliseconds(() =>
        {
            profiler.Reset();
            NextPoint();
            Evaluation.Evaluate(model, data);
            profiler.Keep();
        }, Points);
        var lossAndAccuracy = LossAndAccuracyMilliseconds(model, data);

        Console.WriteLine($"\n{title} on {reference}: {data.Count:N0} samples, {parameterCount:N0} parameters; one point on one thread, channels-last, batch {Evaluation.DefaultBatchSize} (fastest of {Points} points):");
        Console.WriteLine($"  {"part (GFLOP: multiply-adds × 2, padding taps excluded)",-58} {"ms/point",9} {"share",6} {"GFLOP/pt",9} {"GFLOP/s",8} {"of peak",8} {"GB/s",6}");
        var rows = profiler.Groups().ToList();
        var forward = profiler.RootMilliseconds;
        var outside = hooked - forward - lossAndAccuracy - place;
        void Row(string part, double ms, double flops = 0, double bytes = 0) =>
            Console.WriteLine($"  {part,-58} {ms,9:F2} {ms / hooked,6:P0} {(flops > 0 ? $"{flops / 1e9,9:F3}" : ""),9} {(flops > 0 ? $"{flops / 1e9 / (ms / 1000),8:F0}" : ""),8} {(flops > 0 ? $"{flops / 1e9 / (ms / 1000) / peak,8:P0}" : ""),8} {(bytes > 0 ? $"{bytes / 1e9 / (ms / 1000),6:F1}" : ""),6}");
        Row("place θ* + αδ + βη into the weights", place);
        foreach (var group in rows) Row(group.Label, group.Milliseconds, group.Flops, group.Bytes);
        Row("loss and accuracy (cross-entropy, argmax, 2 reads)", lossAndAccuracy);
        Row("batch views, loop, hooks", outside);
        Console.WriteLine($"  {"total with hooks",-58} {hooked,9:F2}");
        Console.WriteLine($"  {"total without hooks (the engine's point)",-58} {unhooked,9:F2}");

        var arithmetic = rows.Where(r => r.Flops > 0).ToList();
        var arithmeticMs = arithmetic.Sum(r => r.Milliseconds);
        var flopsPerPoint = arithmetic.Sum(r => r.Flops);
        Console.WriteLine($"  convolutions and linear layers: {arithmeticMs / hooked:P0} of the point, {flopsPerPoint / 1e9:F3} GFLOP at {flopsPerPoint / 1e9 / (arithmeticMs / 1000):F0} GFLOP/s ({flopsPerPoint / 1e9 / (arithmeticMs / 1000) / peak:P0} of the core's peak);");
        Console.WriteLine($"  with this arithmetic (direct float32 convolution) a point cannot take less than its multiply-adds at the peak: {flopsPerPoint / 1e9 / peak * 1000:F1} ms on one core, {flopsPerPoint / 1e9 / peak * 1000 / Environment.ProcessorCount:F1} ms per point on all {Environment.ProcessorCount} cores.");
    }

    private static double LossAndAccuracyMilliseconds(nn.Module model, PreloadedDataset data)
    {
        using var noGrad = no_grad();
        var logits = data.Batches(Evaluation.DefaultBatchSize).Select(batch =>
        {
            using var inputs = batch.Inputs;
            return (Logits: model.Forward(inputs), batch.Labels);
        }).ToList();
        var milliseconds = BenchMeasure.MinimumMilliseconds(() =>
        {
            foreach (var (batchLogits, labels) in logits)
            {
                using var scope = NewDisposeScope();
                Evaluation.Loss(batchLogits, labels, LossFunction.CrossEntropy).item<float>();
                batchLogits.argmax(1).eq(labels).sum().item<long>();
            }
        }, Points);
        foreach (var (batchLogits, labels) in logits)
        {
            batchLogits.Dispose();
            labels.Dispose();
        }
        return milliseconds;
    }
}
