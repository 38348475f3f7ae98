using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Connectivity;

/// <summary>
/// Evaluates the linear path between two checkpoints (and each group's path) as 1D surfaces along the
/// target direction θ_B − θ_A, so every surface option applies (data, subsets, BatchNorm statistics,
/// workers, devices, resumable files), then reads the barriers of loss and error off each split.
/// With a bend, the one path is the curve through it (<see cref="CurveEvaluation"/>), evaluated point by point in memory.
/// </summary>
public static class ConnectivityAnalysis
{
    /// <param name="outFile">HDF5 surface file of the whole path: resumed if it holds part of it, reused if it holds all.</param>
    /// <param name="restart">Compute the whole path anew and replace <paramref name="outFile"/> when complete.</param>
    /// <exception cref="SpecException">The spec is invalid, or the checkpoints do not fit each other or the data.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; finished points of <paramref name="outFile"/> are kept.</exception>
    public static ConnectivityResult Run(LandscapeRuntime runtime, ConnectivitySpec spec, RunOptions run, ISurfaceObserver observer, string? outFile = null, bool restart = false, CancellationToken cancellation = default)
    {
        spec.Validate();
        var start = spec.Evaluation.Checkpoint.Read(runtime);
        var end = spec.Target.Read(runtime);
        var layout = ParameterLayout.Of(runtime, start);
        var endLayout = ParameterLayout.Of(runtime, end);
        if (!layout.Parameters.Select(p => (p.Name, string.Join("×", p.Shape))).SequenceEqual(endLayout.Parameters.Select(p => (p.Name, string.Join("×", p.Shape)))))
            throw new SpecException(SpecProblem.Argument, $"{end.Name} ({end.Metadata.Model.Architecture}) does not have the parameters of {start.Name} ({start.Metadata.Model.Architecture}), name for name and shape for shape: a path between them is undefined.") { Value = spec.Target.Path };
        var statistics = spec.StatisticsFor(layout);
        if (spec.Bend is { } bendSource)
        {
            if (outFile is not null) throw new SpecException(SpecProblem.Argument, "-OutFile keeps the line's surface; a curve is evaluated in memory.") { Value = outFile };
            var bend = bendSource.Read(runtime);
            var evaluation = spec.Evaluation;
            var curve = CurveEvaluation.Run(runtime, start, end, bend, spec.Curve, spec.T, evaluation.PlanData(runtime, start), observer, evaluation.LossFunction, evaluation.BatchSize,
                statistics, statistics == BatchNormStatistics.Reset ? evaluation.BatchNormResetData : null, evaluation.BatchNormResetBatches, run.Device, run.ThreadsPerPoint ?? 1, cancellation);
            return new ConnectivityResult(statistics, spec.T, [new ConnectivityPath(null, curve, Barriers(spec.T, curve))]);
        }
        var paths = new List<ConnectivityPath>();
        foreach (var (group, surface) in spec.Plan(layout))
        {
            cancellation.ThrowIfCancellationRequested();
            var request = SurfacePlanner.Plan(runtime, surface, run, start);
            observer.Verbose(group is null ? $"The path from {start.Name} to {end.Name}, BatchNorm statistics {statistics}." : $"The path of group {group} only.");
            var result = SurfaceEngine.Compute(runtime, request, observer, group is null ? outFile : null, restart && group is null, cancellation);
            paths.Add(new ConnectivityPath(group, result, Barriers(spec.T, result)));
        }
        return new ConnectivityResult(statistics, spec.T, paths);
    }

    private static IReadOnlyList<BarrierRow> Barriers(double[] t, SurfaceResult result) => result.Metadata.Data.SelectMany(data =>
    {
        var loss = result.Values[SurfaceResult.LossKey(data.Prefix)];
        var error = result.Values[SurfaceResult.AccuracyKey(data.Prefix)].Select(accuracy => 100 - accuracy).ToArray();
        return new[]
        {
            new BarrierRow(data.Dataset.Split, BarrierQuantity.Loss, PathBarrier.AboveChord(t, loss), PathBarrier.AboveMeanOfEnds(t, loss)),
            new BarrierRow(data.Dataset.Split, BarrierQuantity.Error, PathBarrier.AboveChord(t, error), PathBarrier.AboveMeanOfEnds(t, error)),
        };
    }).ToArray();
}

public enum BarrierQuantity
{
    /// <summary>The mean loss.</summary>
    Loss,

    /// <summary>The error in percent, 100 − accuracy.</summary>
    Error,
}

/// <summary>The barriers of one quantity on one split: <see cref="PathBarrier.AboveChord"/> and <see cref="PathBarrier.AboveMeanOfEnds"/>.</summary>
public sealed record BarrierRow(Data.DatasetSplit Split, BarrierQuantity Quantity, BarrierValue AboveChord, BarrierValue AboveMeanOfEnds);

/// <summary>One path: the whole model's (<see cref="Group"/> null) or one parameter group's, with its surface and barriers.</summary>
public sealed record ConnectivityPath(string? Group, SurfaceResult Surface, IReadOnlyList<BarrierRow> Barriers);

public sealed record ConnectivityResult(BatchNormStatistics Statistics, double[] T, IReadOnlyList<ConnectivityPath> Paths);
