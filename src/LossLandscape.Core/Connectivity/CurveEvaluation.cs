using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Connectivity;

/// <summary>
/// Loss and accuracy along a trained curve φ(t), on each split. A point of the curve is the point
/// (Along(t), Bend(t)) of the plane through θ_A along x = θ_B − θ_A and y = θ_bend − θ_A (<see cref="Curve"/>),
/// so it is placed by <see cref="SurfaceEvaluator"/> exactly as a surface point is, and the result is a
/// 1D surface over t whose metadata names both directions and the curve.
/// </summary>
public static class CurveEvaluation
{
    /// <param name="threads">libtorch intra-op threads.</param>
    /// <param name="statistics">Running (θ_A's statistics) or Reset (recomputed at every t from <paramref name="resetData"/>, as update_bn).</param>
    /// <exception cref="ArgumentException">The checkpoints differ in architecture, or the statistics are neither Running nor Reset.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public static SurfaceResult Run(LandscapeRuntime runtime, CheckpointInfo start, CheckpointInfo target, CheckpointInfo bend, CurveKind kind, double[] t,
        IReadOnlyList<DatasetReference> data, ISurfaceObserver observer, LossFunction lossFunction = LossFunction.CrossEntropy, int batchSize = Evaluation.DefaultBatchSize,
        BatchNormStatistics statistics = BatchNormStatistics.Running, DatasetReference? resetData = null, int? resetBatches = null, ComputeDevice? device = null, int threads = 1, CancellationToken cancellation = default)
    {
        if (statistics is not (BatchNormStatistics.Running or BatchNormStatistics.Reset))
            throw new ArgumentException($"Along a curve BatchNorm statistics are recomputed (Reset) or θ_A's (Running), not {statistics}.");
        if ((statistics == BatchNormStatistics.Reset) != (resetData is not null))
            throw new ArgumentException("Recomputed BatchNorm statistics need their training data, and only they do.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var layout = ParameterLayout.Of(runtime, start);
        foreach (var other in new[] { target, bend })
        {
            if (!layout.Parameters.Select(p => (p.Name, string.Join("×", p.Shape))).SequenceEqual(ParameterLayout.Of(runtime, other).Parameters.Select(p => (p.Name, string.Join("×", p.Shape)))))
                throw new ArgumentException($"{other.Name} ({other.Metadata.Model.Architecture}) does not have the parameters of {start.Name} ({start.Metadata.Model.Architecture}), name for name and shape for shape: a curve through them is undefined.");
        }
        device ??= ComputeDevice.Cpu;
        device.EnsureAvailable(runtime);
        // This is the caller's thread (a pipeline's): its own count is put back when the curve is done.
        runtime.ApplyThreadCount(threads);
        try
        {
            return Evaluate(runtime, start, target, bend, kind, t, data, observer, lossFunction, batchSize, statistics, resetData, resetBatches, device, threads, layout, clock, cancellation);
        }
        finally
        {
            runtime.ApplyThreadCount();
        }
    }

    private static SurfaceResult Evaluate(LandscapeRuntime runtime, CheckpointInfo start, CheckpointInfo target, CheckpointInfo bend, CurveKind kind, double[] t,
        IReadOnlyList<DatasetReference> data, ISurfaceObserver observer, LossFunction lossFunction, int batchSize, BatchNormStatistics statistics,
        DatasetReference? resetData, int? resetBatches, ComputeDevice device, int threads, ParameterLayout layout, System.Diagnostics.Stopwatch clock, CancellationToken cancellation)
    {
        using var model = CheckpointStore.LoadModel(runtime, start, device);
        var (alongDirection, bendDirection) = Directions(runtime, model, layout, start, target, bend);
        var datasets = data.Select(reference => new PreloadedDataset(runtime, reference, DatasetCatalog.LoadArrays(runtime.DatasetCache, reference), device: device)).ToArray();
        try
        {
            var reset = resetData is null ? null : datasets.FirstOrDefault(d => d.Reference == resetData);
            using var ownReset = resetData is not null && reset is null ? new PreloadedDataset(runtime, resetData, DatasetCatalog.LoadArrays(runtime.DatasetCache, resetData), device: device) : null;
            reset ??= ownReset;
            var metric = new LossMetric(lossFunction, batchSize);
            var metadata = new SurfaceMetadata
            {
                CheckpointSha256 = start.Metadata.StateSha256,
                Architecture = start.Metadata.Model.Architecture,
                CheckpointEpoch = start.Metadata.Epoch,
                Directions = [new SurfaceDirectionInfo(alongDirection.Recipe, alongDirection.Sha256, alongDirection.Norm), new SurfaceDirectionInfo(bendDirection.Recipe, bendDirection.Sha256, bendDirection.Norm)],
                X = t,
                Curve = kind,
                Data = datasets.Select(d => new SurfaceDataInfo(d.Reference, d.Count)).ToArray(),
                LossFunction = lossFunction,
                Metric = metric.Name,
                BatchNormStatistics = statistics,
                BatchNormResetBatches = statistics == BatchNormStatistics.Reset ? resetBatches : null,
                BatchSize = batchSize,
                ThreadsPerPoint = threads,
            };
            var keys = metric.Keys(metadata.Data);
            var values = keys.ToDictionary(k => k, _ => new double[t.Length]);
            observer.Verbose($"The {kind} curve from {start.Name} through {bend.Name} to {target.Name} at {t.Length} point(s) of t, BatchNorm statistics {statistics}.");
            using var evaluator = new SurfaceEvaluator(model, alongDirection, bendDirection);
            for (var i = 0; i < t.Length; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var (alongWeight, bendWeight) = Curve.Coefficients(kind, t[i]);
                evaluator.MoveTo(alongWeight, bendWeight);
                if (reset is not null) BatchNormLayers.Recompute(model, reset, batchSize, resetBatches, cancellation);
                var point = metric.Evaluate(model, datasets, cancellation);
                for (var k = 0; k < keys.Count; k++) values[keys[k]][i] = point[k];
                observer.PointCompleted(new SurfaceProgress(i + 1, t.Length, i, alongWeight, bendWeight, point[0]));
            }
            return new SurfaceResult(metadata, new SurfaceGrid(t, null), values, Enumerable.Repeat(true, t.Length).ToArray(), clock.Elapsed, null);
        }
        finally
        {
            foreach (var d in datasets) d.Dispose();
        }
    }

    /// <summary>θ_B − θ_A and θ_bend − θ_A, subtracted in float32 as the trainer does.</summary>
    private static (DirectionVector Along, DirectionVector Bend) Directions(LandscapeRuntime runtime, TorchSharp.torch.nn.Module model, ParameterLayout layout, CheckpointInfo start, CheckpointInfo target, CheckpointInfo bend)
    {
        var origin = layout.FlattenParameters(model);
        DirectionVector Toward(CheckpointInfo end)
        {
            using var other = CheckpointStore.LoadModel(runtime, end);
            var values = layout.FlattenParameters(other);
            for (var i = 0; i < values.Length; i++) values[i] -= origin[i];
            return new DirectionVector(new DirectionRecipe
            {
                Kind = DirectionKind.Target,
                Normalization = DirectionNormalization.None,
                IgnoreBiasAndNorm = false,
                CheckpointSha256 = start.Metadata.StateSha256,
                TargetSha256 = end.Metadata.StateSha256,
            }, values);
        }
        return (Toward(target), Toward(bend));
    }
}
