using System.Diagnostics;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The hidden child sub-command: one measured surface through the public engine API, in a process of
/// its own so that its peak RSS is that run's alone.
/// </summary>
internal static class EngineRun
{
    public const string SubCommand = "surface-child";

    /// <summary>Seconds each bare-forward worker keeps running, so short passes are timed over many.</summary>
    private const double BareForwardSeconds = 2;

    /// <summary>
    /// Passes each bare-forward worker runs at least: with one ResNet pass per worker a single slow
    /// second on a shared machine set the whole limit, and surfaces came out faster than their limit.
    /// </summary>
    private const int MinimumBareForwardPasses = 3;

    public static int Run(string specPath)
    {
        var spec = BenchJson.Read<EngineRunSpec>(specPath);
        var checkpoint = CheckpointStore.Read(LandscapeRuntime.Load(), spec.CheckpointPath);
        var (x, y) = BenchDirections.Build(checkpoint, spec.Y is not null);
        if (x.Sha256 != spec.XDirectionSha256 || y?.Sha256 != spec.YDirectionSha256)
            throw new InvalidOperationException("The rebuilt directions differ from those exported for the reference.");

        var request = new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = x,
            Y = y,
            Grid = new SurfaceGrid(spec.X, spec.Y),
            Data = [spec.Data],
            // Get-LossSurface's -ThrottleLimit default; batch size and threads per point stay the request's defaults.
            Workers = Environment.ProcessorCount,
            Device = ComputeDevice.Parse(spec.Device),
            FoldBatchNorm = spec.FoldBatchNorm,
        };

        // The built-in data are generated once per process: do it before the clock, as the reference reads its copy before its clock.
        DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, spec.Data);
        var clock = Stopwatch.StartNew();
        var result = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new SilentObserver());
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = PeakMemory.OwnPeakRssKib();
        if (!result.IsComplete) throw new InvalidOperationException($"The engine computed {result.ComputedCount} of {result.Grid.PointCount} points.");

        var bareForward = MeasureBareForward(request, spec.Device);
        BenchJson.Write(spec.ResultPath, new EngineRunResult(
            seconds, peak, request.Workers, request.ThreadsPerPoint, request.BatchSize,
            result.Values.ToDictionary(v => v.Key, v => v.Value), bareForward));
        return 0;
    }

    /// <summary>
    /// The floor a surface point can approach with the engine's setting: as many workers as it runs,
    /// each with its own model at θ* and its threads per point, all doing forward passes at once
    /// over the whole data (eval, no_grad, the engine's batch size, no loss). Time per pass is the
    /// wall time of all passes divided by their number, as surface points share the cores.
    /// </summary>
    private static BareForward MeasureBareForward(SurfaceRequest request, string device)
    {
        var target = new Device(device);
        var arrays = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, request.Data[0]);
        bool channelsLast;
        using (var probe = CheckpointStore.LoadModel(LandscapeRuntime.Load(), request.Checkpoint)) channelsLast = ChannelsLast.Suits(probe);
        // The engine's layout: channels-last maps for zoo convolutional nets, BatchNorm folded when it folds.
        using var data = new PreloadedDataset(LandscapeRuntime.Load(), request.Data[0], arrays, channelsLast);
        // Shared read-only by the workers, as the engine shares its data.
        using var copyOnDevice = target.type == DeviceType.CPU ? null : data.Inputs.to(target);
        var inputs = copyOnDevice ?? data.Inputs;
        var workers = request.Workers;
        var failures = new Exception?[workers];
        var warmUpSeconds = new double[workers];
        using var ready = new CountdownEvent(workers);
        using var start = new ManualResetEventSlim();
        var passesPerWorker = 0;

        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            nn.Module model;
            try
            {
                LandscapeRuntime.Load().ApplyThreadCount(request.ThreadsPerPoint);
                model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), request.Checkpoint).to(target);
                if (channelsLast) ChannelsLast.Apply(model);
                if (request.FoldBatchNorm) BatchNormFolding.Attach(model).Apply();
                var warmUp = Stopwatch.StartNew();
                ForwardPass(model, inputs, request.BatchSize, target);
                warmUpSeconds[w] = warmUp.Elapsed.TotalSeconds;
            }
            catch (Exception e)
            {
                failures[w] = e;
                return;
            }
            finally
            {
                ready.Signal();
            }
            using (model)
            {
                start.Wait();
                for (var pass = 0; pass < passesPerWorker; pass++) ForwardPass(model, inputs, request.BatchSize, target);
            }
        })
        { IsBackground = true, Name = "bare forward worker" }).ToArray();

        foreach (var thread in threads) thread.Start();
        ready.Wait();
        var warmedUp = failures.All(f => f is null);
        passesPerWorker = warmedUp ? Math.Clamp((int)Math.Ceiling(BareForwardSeconds / warmUpSeconds.Max()), MinimumBareForwardPasses, 500) : 0;
        var clock = Stopwatch.StartNew();
        start.Set();
        foreach (var thread in threads) thread.Join();
        var seconds = clock.Elapsed.TotalSeconds;
        var failure = failures.FirstOrDefault(f => f is not null);
        if (failure is not null) throw new InvalidOperationException("A bare-forward worker failed.", failure);
        return new BareForward(seconds / (workers * passesPerWorker), workers, request.ThreadsPerPoint, passesPerWorker);
    }

    private static void ForwardPass(nn.Module model, Tensor inputs, int batchSize, Device device)
    {
        using var noGrad = no_grad();
        var count = inputs.shape[0];
        for (long first = 0; first < count; first += batchSize)
        {
            using var scope = NewDisposeScope();
            model.Forward(inputs.narrow(0, first, Math.Min(batchSize, count - first)));
        }
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    private sealed class SilentObserver : ISurfaceObserver
    {
        public void PointCompleted(SurfaceProgress progress)
        {
        }

        public void Verbose(string message)
        {
        }
    }
}
