using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Computes loss surfaces. Points are shared out to <see cref="SurfaceRequest.Workers"/> threads,
/// each with its own model copy and a fixed intra-op thread count, so the values do not depend on
/// how many workers ran. With an output file, every finished point is journaled at once; a rerun
/// resumes from the journal, and the finished surface is written as HDF5 (atomically). With a
/// <see cref="SurfaceRequest.Shard"/>, only that shard's points are computed; the others stay
/// uncomputed in the file until <see cref="SurfaceMerge"/> combines the shards.
/// </summary>
public static class SurfaceEngine
{
    public static SurfaceMetadata Describe(SurfaceRequest request, IReadOnlyList<int> sampleCounts) => new()
    {
        CheckpointSha256 = request.Checkpoint.Metadata.StateSha256,
        Architecture = request.Checkpoint.Metadata.Model.Architecture,
        CheckpointEpoch = request.Checkpoint.Metadata.Epoch,
        CheckpointStep = request.Checkpoint.Metadata.Step,
        Directions = (request.Y is null ? [request.X] : new[] { request.X, request.Y })
            .Select(d => new SurfaceDirectionInfo(d.Recipe, d.Sha256, d.Norm)).ToArray(),
        DirectionCount = request.AdditionalDraws.Count > 0 ? request.Draws.Count : null,
        X = request.Grid.X,
        Y = request.Grid.Y,
        Data = request.Data.Zip(sampleCounts, (reference, count) => new SurfaceDataInfo(reference, count)).ToArray(),
        LossFunction = request.LossFunction,
        Metric = request.EffectiveMetric.Name,
        BatchNormStatistics = request.BatchNormStatistics,
        BatchNormResetBatches = request.BatchNormResetBatches,
        BatchSize = request.BatchSize,
        ThreadsPerPoint = request.ThreadsPerPoint,
        BatchNormFolded = request.FoldBatchNorm,
        Shard = request.Shard,
    };

    /// <param name="outFile">HDF5 surface file to resume and write, or null to keep the result in memory only.</param>
    /// <param name="restart">
    /// Replace <paramref name="outFile"/> instead of resuming it: the new surface is computed into
    /// <see cref="ReplacementPath"/> (resumed when an earlier restart of the same settings left one)
    /// and renamed over the file only when complete.
    /// </param>
    /// <exception cref="SurfaceSettingsMismatchException">The file or journal belongs to other settings.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; finished points stay in the journal and a partial file (the replacement, with restart).</exception>
    public static SurfaceResult Compute(LandscapeRuntime runtime, SurfaceRequest request, ISurfaceObserver observer, string? outFile = null, bool restart = false, CancellationToken cancellation = default)
    {
        request.Validate();
        request.Device.EnsureAvailable(runtime);
        var clock = Stopwatch.StartNew();
        var arrays = request.Data.Select(reference => DatasetCatalog.LoadArrays(runtime.DatasetCache, reference)).ToArray();
        var metadata = Describe(request, arrays.Select(a => a.Count).ToArray());
        var keys = request.EffectiveMetric.Keys(metadata.Data).ToArray();
        if (keys.Distinct().Count() != keys.Length) throw new ArgumentException("Each split may be evaluated once per surface.");

        var total = request.Grid.PointCount;
        var draws = request.Draws;
        // Draw-major slots: slot k·total + i is point i of draw k, so one draw is today's grid and journal.
        var slots = total * draws.Count;
        var ownPoints = (request.Shard?.PointCount(total) ?? total) * draws.Count;
        var values = keys.ToDictionary(k => k, _ => Enumerable.Repeat(SurfaceFile.NotComputedFill, slots).ToArray());
        var computed = new bool[slots];

        SurfaceJournal? journal = null;
        // With restart the surface is computed beside the file and renamed over it when complete, so a
        // kill leaves the old file whole and readers always find the old surface or the new one.
        var workFile = outFile is not null && restart ? ReplacementPath(outFile) : outFile;
        if (workFile is not null)
        {
            if (restart && !IsResumableReplacement(workFile, metadata))
            {
                File.Delete(workFile);
                File.Delete(SurfaceJournal.PathFor(workFile));
            }
            if (File.Exists(workFile))
            {
                var existing = SurfaceStore.Read(workFile);
                var differences = metadata.Differences(existing.Metadata);
                if (differences.Count > 0) throw new SurfaceSettingsMismatchException(workFile, differences);
                if (!restart && existing.IsComplete && !File.Exists(SurfaceJournal.PathFor(workFile)))
                {
                    observer.Verbose($"{workFile} already holds this complete surface; nothing to compute.");
                    return existing with { Elapsed = clock.Elapsed };
                }
                if (existing.Members is { } members) Merge(members.Computed, members.Values, computed, values);
                else Merge(existing.Computed, existing.Values, computed, values);
            }
            journal = SurfaceJournal.Open(SurfaceJournal.PathFor(workFile), metadata, keys.Length, out var finished);
            foreach (var (index, pointValues) in finished.Where(p => p.Key >= 0 && p.Key < slots))
            {
                computed[index] = true;
                for (var k = 0; k < keys.Length; k++) values[keys[k]][index] = pointValues[k];
            }
            if (computed.Any(c => c)) observer.Verbose($"Resuming: {computed.Count(c => c)} of {ownPoints} points already computed in {workFile}.");
        }

        (double[] X, double[]? Y)? curvature = null;
        try
        {
            var ownGrid = (request.Shard?.Points(total) ?? Enumerable.Range(0, total)).ToArray();
            var pending = Enumerable.Range(0, draws.Count).SelectMany(draw => ownGrid.Select(i => draw * total + i)).Where(slot => !computed[slot]).ToArray();
            if (request.Shard is { } shard) observer.Verbose($"{shard}: {shard.PointCount(total)} of the grid's {total} points (those whose index mod {shard.Count} is {shard.Index}).");
            if (draws.Count > 1)
            {
                // One Hessian-vector product per batch and direction: recomputed on every run rather than journaled.
                curvature = DirectionCurvature.Compute(runtime, request, arrays[0], cancellation);
                observer.Verbose($"{draws.Count} direction draws (seeds {draws[0].X.Recipe.Seed}..{draws[^1].X.Recipe.Seed}); δᵀHδ along x: {string.Join(", ", curvature.Value.X.Select(c => c.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)))}.");
            }
            var channelsLast = CheckModelTakesData(runtime, request.Checkpoint, arrays[0], request.Data[0], request.Device) && !request.EffectiveMetric.NeedsGradients;
            var data = request.Data.Zip(arrays, (reference, a) => new PreloadedDataset(runtime, reference, a, channelsLast, request.Device)).ToArray();
            // The training split is preloaded once, whether it is also evaluated or only recomputed from.
            var evaluatedReset = data.FirstOrDefault(d => d.Reference == request.BatchNormResetData);
            var ownReset = request.BatchNormResetData is { } resetReference && evaluatedReset is null
                ? new PreloadedDataset(runtime, resetReference, DatasetCatalog.LoadArrays(runtime.DatasetCache, resetReference), channelsLast, request.Device)
                : null;
            try
            {
                var reset = evaluatedReset ?? ownReset;
                Run(runtime, request, data, reset, channelsLast, pending, ownPoints, keys, values, computed, journal, observer, cancellation);
            }
            finally
            {
                foreach (var d in data) d.Dispose();
                ownReset?.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
            if (workFile is not null) SurfaceStore.Write(workFile, Assemble(metadata, request.Grid, values, computed, curvature, clock.Elapsed, workFile));
            throw;
        }
        finally
        {
            journal?.Dispose();
        }

        var result = Assemble(metadata, request.Grid, values, computed, curvature, clock.Elapsed, outFile);
        if (outFile is not null && workFile is not null)
        {
            // The old file's own journal (an unfinished earlier run) would be resumed into the new file.
            if (restart) File.Delete(SurfaceJournal.PathFor(outFile));
            SurfaceStore.Write(outFile, result);
            File.Delete(SurfaceJournal.PathFor(workFile));
            if (restart) File.Delete(workFile);
        }
        return result;
    }

    /// <summary>The surface of draw 0, with every draw as its <see cref="SurfaceResult.Members"/> when there are several.</summary>
    private static SurfaceResult Assemble(SurfaceMetadata metadata, SurfaceGrid grid, Dictionary<string, double[]> values, bool[] computed, (double[] X, double[]? Y)? curvature, TimeSpan elapsed, string? path)
    {
        var total = grid.PointCount;
        if (metadata.DirectionCount is not { } count) return new SurfaceResult(metadata, grid, values, computed, elapsed, path);
        var firstDraw = values.ToDictionary(p => p.Key, p => p.Value[..total]);
        var seed = metadata.Directions[0].Recipe.Seed;
        var members = new SurfaceMembers(
            Enumerable.Range(0, count).Select(k => seed + k).ToArray(),
            values,
            computed,
            curvature?.X ?? Enumerable.Repeat(double.NaN, count).ToArray(),
            grid.IsTwoDimensional ? curvature?.Y ?? Enumerable.Repeat(double.NaN, count).ToArray() : null);
        return new SurfaceResult(metadata, grid, firstDraw, computed[..total], elapsed, path) { Members = members };
    }

    /// <param name="ownPoints">The points this run is responsible for (the grid's or its shard's), finished ones included: progress counts up to it.</param>
    /// <param name="reset">The training data BatchNorm statistics are recomputed from at every point (<see cref="BatchNormStatistics.Reset"/>), else null.</param>
    private static void Run(LandscapeRuntime runtime, SurfaceRequest request, PreloadedDataset[] data, PreloadedDataset? reset, bool channelsLast, int[] pending, int ownPoints, string[] keys,
        Dictionary<string, double[]> values, bool[] computed, SurfaceJournal? journal, ISurfaceObserver observer, CancellationToken cancellation)
    {
        if (pending.Length == 0) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var workerCount = Math.Min(request.Workers, pending.Length);
        // Bounded, so workers never run far ahead of the journal: a stop (Ctrl+C) leaves at most the
        // queued points and the one each worker holds to be written, not everything computed unsaved.
        using var results = new BlockingCollection<(int Index, double[] Values)>(boundedCapacity: workerCount);
        var next = -1;
        var failures = new ConcurrentQueue<Exception>();
        observer.Verbose($"{pending.Length} point(s) to compute with {workerCount} worker(s) × {request.ThreadsPerPoint} thread(s), batch {request.BatchSize}, {(channelsLast ? "channels-last" : "NCHW")} maps{(request.FoldBatchNorm ? ", BatchNorm folded" : "")}, BatchNorm statistics {request.BatchNormStatistics}{(reset is null ? "" : $" (recomputed from {(request.BatchNormResetBatches is { } resetBatches ? $"{resetBatches} batch(es)" : "every batch")} of {reset.Reference} at each point)")}, on {string.Join(" + ", data.Select(d => $"{d.Reference} ({d.Count})"))}.");

        var workers = Enumerable.Range(0, workerCount).Select(_ => new Thread(() =>
        {
            try
            {
                runtime.ApplyThreadCount(request.ThreadsPerPoint);
                using var model = CheckpointStore.LoadModel(runtime, request.Checkpoint, request.Device);
                if (channelsLast) ChannelsLast.Apply(model);
                // All made before folding attaches: each captures θ* as the checkpoint holds it.
                var evaluators = new List<SurfaceEvaluator>();
                using var disposeEvaluators = new DisposeAll(evaluators);
                foreach (var draw in request.Draws) evaluators.Add(new SurfaceEvaluator(model, draw.X, draw.Y));
                using var folding = request.FoldBatchNorm ? BatchNormFolding.Attach(model) : null;
                var metric = request.EffectiveMetric;
                int slot;
                while (!stop.IsCancellationRequested && (slot = Interlocked.Increment(ref next)) < pending.Length)
                {
                    var index = pending[slot];
                    var (alpha, beta) = request.Grid.Coordinates(index % request.Grid.PointCount);
                    evaluators[index / request.Grid.PointCount].MoveTo(alpha, beta);
                    if (reset is not null) BatchNormLayers.Recompute(model, reset, request.BatchSize, request.BatchNormResetBatches, stop.Token);
                    folding?.Apply();
                    results.Add((index, metric.Evaluate(model, data, stop.Token)), stop.Token);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
                stop.Cancel();
            }
        })
        { IsBackground = true, Name = "LossLandscape surface worker" }).ToArray();
        foreach (var worker in workers) worker.Start();
        var completion = new Thread(() =>
        {
            foreach (var worker in workers) worker.Join();
            results.CompleteAdding();
        })
        { IsBackground = true };
        completion.Start();

        var done = ownPoints - pending.Length;
        try
        {
            foreach (var (index, pointValues) in results.GetConsumingEnumerable())
            {
                journal?.Append(index, pointValues);
                computed[index] = true;
                for (var k = 0; k < keys.Length; k++) values[keys[k]][index] = pointValues[k];
                var (alpha, beta) = request.Grid.Coordinates(index % request.Grid.PointCount);
                observer.PointCompleted(new SurfaceProgress(++done, ownPoints, index, alpha, beta, pointValues[0]));
            }
        }
        finally
        {
            stop.Cancel();
            completion.Join();
        }
        if (failures.TryPeek(out var failure) && failure is not OperationCanceledException) ExceptionDispatchInfo.Capture(failure).Throw();
        cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>One sample through the model first: a shape mismatch is a clear error here, not a failure in every worker.</summary>
    /// <returns>Whether the model suits channels-last maps.</returns>
    private static bool CheckModelTakesData(LandscapeRuntime runtime, CheckpointInfo checkpoint, DatasetArrays arrays, DatasetReference reference, ComputeDevice device)
    {
        using var model = CheckpointStore.LoadModel(runtime, checkpoint, device);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        if (arrays.Tokens is { } tokens)
        {
            CheckModelTakesTokens(runtime, model, checkpoint, arrays, tokens, reference, device);
            return false;
        }
        long[] sampleShape = [arrays.Channels, arrays.Height, arrays.Width];
        var maxLabel = arrays.Labels.Max();
        try
        {
            var logits = model.Forward(TorchSharp.torch.tensor(arrays.Inputs[..arrays.SampleSize], [1, .. sampleShape], device: device.ToTorchDevice(runtime)));
            if (logits.dim() != 2 || logits.shape[1] < 2)
                throw new ArgumentException($"{checkpoint.Name} maps a {string.Join("×", sampleShape)} input to shape [{string.Join("×", logits.shape)}], not to class scores [1×classes].");
            if (maxLabel >= logits.shape[1])
                throw new ArgumentException($"{reference} has labels up to {maxLabel} but {checkpoint.Name} scores {logits.shape[1]} classes.");
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            throw new ArgumentException($"{checkpoint.Name} cannot take {reference} inputs of shape {string.Join("×", sampleShape)}: {e.Message.Split('\n')[0]}", e);
        }
        return ChannelsLast.Suits(model);
    }

    /// <summary>One sequence through a token model: it must score every position over a vocabulary that holds every token and target.</summary>
    private static void CheckModelTakesTokens(LandscapeRuntime runtime, TorchSharp.torch.nn.Module model, CheckpointInfo checkpoint, DatasetArrays arrays, long[] tokens, DatasetReference reference, ComputeDevice device)
    {
        var length = arrays.SequenceLength;
        var largest = Math.Max(tokens.Max(), arrays.Labels.Max());
        try
        {
            var logits = model.Forward(TorchSharp.torch.tensor(tokens[..length], [1, length], device: device.ToTorchDevice(runtime)));
            if (logits.dim() != 3 || logits.shape[1] != length)
                throw new ArgumentException($"{checkpoint.Name} maps a sequence of {length} tokens to shape [{string.Join("×", logits.shape)}], not to next-token scores [1×{length}×vocabulary].");
            if (largest >= logits.shape[2])
                throw new ArgumentException($"{reference} has tokens up to {largest} but {checkpoint.Name} scores a vocabulary of {logits.shape[2]}.");
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            throw new ArgumentException($"{checkpoint.Name} cannot take {reference} sequences of {length} tokens: {e.Message.Split('\n')[0]}", e);
        }
    }

    private static void Merge(bool[] fromComputed, IReadOnlyDictionary<string, double[]> fromValues, bool[] computed, Dictionary<string, double[]> values)
    {
        for (var i = 0; i < computed.Length; i++)
        {
            if (!fromComputed[i]) continue;
            computed[i] = true;
            foreach (var (key, array) in values) array[i] = fromValues[key][i];
        }
    }

    /// <summary>Disposes every evaluator made, also when making a later one failed.</summary>
    private sealed class DisposeAll(List<SurfaceEvaluator> evaluators) : IDisposable
    {
        public void Dispose()
        {
            for (var i = evaluators.Count - 1; i >= 0; i--) evaluators[i].Dispose();
        }
    }

    /// <summary>Where a restarted (-Force) surface is computed until it replaces <paramref name="outFile"/>.</summary>
    public static string ReplacementPath(string outFile) => outFile + ".force";

    /// <summary>Whether an unfinished replacement (and its journal) was computed with these settings; a damaged one is not resumable either.</summary>
    private static bool IsResumableReplacement(string replacement, SurfaceMetadata metadata)
    {
        var journal = SurfaceJournal.PathFor(replacement);
        try
        {
            return (!File.Exists(replacement) || metadata.Differences(SurfaceStore.Read(replacement).Metadata).Count == 0)
                && (!File.Exists(journal) || metadata.Differences(SurfaceJournal.ReadMetadata(journal)).Count == 0);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
