using LossLandscape.Core.Checkpoints;
using System.Diagnostics;
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
/// Measures each of the surface engine's levers on its own, on one core, so the engine's defaults
/// can be justified by numbers: memory layout, BatchNorm folding, batch size, the first layer's
/// linearity, and the cost of placing θ* + αδ + βη.
/// </summary>
internal static class LeverBenchmark
{
    private const int Repeats = 3;

    public static void Run()
    {
        LandscapeRuntime.Load().ApplyThreadCount(1);
        Console.WriteLine($"One-thread sgemm 2048×2048×2048: {BenchMeasure.SgemmGigaflops():F0} GFLOP/s, the machine's practical float32 limit per core.");
        Measure("DigitsCnn", new ModelSpec { Architecture = "DigitsCnn" }, new DatasetReference(DigitsData.Name));
        Measure("ResNet-20", new ModelSpec { Architecture = "ResNet20", InputChannels = 3, InputHeight = 32, InputWidth = 32 }, new DatasetReference(SyntheticCifarData.Name, MaxSamples: 500, SubsetSeed: 1));
    }

    private static void Measure(string title, ModelSpec spec, DatasetReference reference)
    {
        var arrays = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference);
        var flops = ForwardFlopsPerSample(spec);
        Console.WriteLine($"\n{title} on {reference} ({arrays.Count} samples, {flops / 1e6:F1} MFLOP per sample in convolutions and linear layers, padding taps excluded), one thread; time of one loss-and-accuracy pass over the data, min of {Repeats}:");
        Console.WriteLine($"  {"layout",-14} {"BatchNorm",-10} {string.Join(" ", BatchSizes(arrays.Count).Select(b => $"{"batch " + b,12}"))}");
        foreach (var channelsLast in new[] { false, true })
        {
            using var data = new PreloadedDataset(LandscapeRuntime.Load(), reference, arrays, channelsLast);
            foreach (var fold in new[] { false, true })
            {
                using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec, seed: 1);
                if (channelsLast) ChannelsLast.Apply(model);
                using var folding = fold ? BatchNormFolding.Attach(model) : null;
                folding?.Apply();
                var times = BatchSizes(arrays.Count).Select(batch => MinimumMilliseconds(() => Evaluation.Evaluate(model, data, batch))).ToArray();
                var rate = flops * arrays.Count / (times.Min() / 1000) / 1e9;
                Console.WriteLine($"  {(channelsLast ? "channels-last" : "NCHW"),-14} {(fold ? "folded" : "separate"),-10} {string.Join(" ", times.Select(t => $"{t,9:F1} ms"))}   best {rate:F0} GFLOP/s");
            }
        }

        using (var data = new PreloadedDataset(LandscapeRuntime.Load(), reference, arrays, channelsLast: true))
        using (var model = ModelZoo.Create(LandscapeRuntime.Load(), spec, seed: 1))
        using (var noGrad = no_grad())
        {
            ChannelsLast.Apply(model);
            var firstConv = model.modules().OfType<TorchSharp.Modules.Conv2d>().First();
            using var firstOutput = firstConv.call(data.Inputs.narrow(0, 0, 1));
            var mapShape = firstOutput.shape.Skip(1).ToArray();
            using var atTheta = ChannelsLast.Of(randn([arrays.Count, .. mapShape]));
            using var alongX = atTheta.clone();
            using var alongY = atTheta.clone();
            var convolve = MinimumMilliseconds(() =>
            {
                foreach (var (inputs, _) in data.Batches(Evaluation.DefaultBatchSize)) using (var scope = NewDisposeScope()) firstConv.call(inputs);
            });
            var combine = MinimumMilliseconds(() =>
            {
                for (var start = 0; start < arrays.Count; start += Evaluation.DefaultBatchSize)
                {
                    using var scope = NewDisposeScope();
                    var length = Math.Min(Evaluation.DefaultBatchSize, arrays.Count - start);
                    atTheta.narrow(0, start, length).add(alongX.narrow(0, start, length), alpha: 0.3).add_(alongY.narrow(0, start, length), alpha: -0.2);
                }
            });
            var extraMiB = 3.0 * atTheta.numel() * sizeof(float) / (1 << 20);
            Console.WriteLine($"  first layer: its convolution {convolve:F2} ms per pass; combining three precomputed maps instead {combine:F2} ms, holding {extraMiB:F0} MiB more");

            var parameterCount = (int)ParameterLayout.Of(model).ParameterLength;
            var recipe = new DirectionRecipe { Seed = 1, CheckpointSha256 = "bench" };
            var x = new DirectionVector(recipe, BenchMeasure.RandomVector(parameterCount, 2));
            var y = new DirectionVector(recipe with { Axis = 1 }, BenchMeasure.RandomVector(parameterCount, 3));
            using var evaluator = new SurfaceEvaluator(model, x, y);
            var place = MinimumMilliseconds(() => { for (var i = 0; i < 100; i++) evaluator.MoveTo(0.01 * i, -0.01 * i); }) / 100;
            Console.WriteLine($"  placing θ* + αδ + βη ({parameterCount:N0} parameters): {place:F3} ms per point");
        }
    }

    /// <summary>FLOPs of every convolution and linear layer for one sample (padding taps excluded), counted by forward hooks on a throwaway model.</summary>
    private static double ForwardFlopsPerSample(ModelSpec spec)
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), spec, seed: 1);
        model.eval();
        double flops = 0;
        foreach (var conv in model.modules().OfType<TorchSharp.Modules.Conv2d>())
            conv.register_forward_hook((module, input, output) =>
            {
                flops += BenchMeasure.ConvolutionFlops(conv, input, output);
                return output;
            });
        foreach (var linear in model.modules().OfType<TorchSharp.Modules.Linear>())
            linear.register_forward_hook((module, input, output) =>
            {
                flops += BenchMeasure.LinearFlops(linear, output);
                return output;
            });
        using (var noGrad = no_grad())
        using (var sample = zeros(1, spec.InputChannels, spec.InputHeight, spec.InputWidth))
        using (model.call(sample))
        {
        }
        return flops;
    }

    private static int[] BatchSizes(int count) => [100, 128, 250, 500, count];

    private static double MinimumMilliseconds(Action action) => BenchMeasure.MinimumMilliseconds(action, Repeats);
}
