using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Specs;

/// <summary>Turns a <see cref="SurfaceSpec"/> and how it is run into the engine's work.</summary>
public static class SurfacePlanner
{
    /// <param name="checkpoint">The spec's checkpoint when the caller already read it; read from the spec's path otherwise.</param>
    /// <exception cref="SpecException">The spec is invalid or does not fit the checkpoint.</exception>
    /// <exception cref="CheckpointException">The checkpoint cannot be read.</exception>
    /// <exception cref="InvalidDataException">A data file cannot be read.</exception>
    public static SurfaceRequest Plan(LandscapeRuntime runtime, SurfaceSpec spec, RunOptions run, CheckpointInfo? checkpoint = null)
    {
        spec.Validate();
        run.Validate();
        var evaluation = spec.Evaluation;
        checkpoint ??= evaluation.Checkpoint.Read(runtime);
        var data = evaluation.PlanData(runtime, checkpoint);
        var directions = spec.Directions.Select(d => d.Resolve(runtime, checkpoint)).ToArray();
        var statistics = evaluation.BatchNormStatisticsFor(directionsMoveStatistics: directions.Any(d => d.Buffers is not null));
        if (statistics == BatchNormStatistics.Batch && spec.Metric == SurfaceMetric.Curvature)
            throw new SpecException(SpecProblem.Argument, "-BatchNormStatistics Batch applies to the loss metric: the curvature's Hessian is taken with fixed statistics (Running or Reset).") { Value = statistics.ToString() };
        // Rebuilt from the recipe: only draw 0 may come from a file (a cluster job's saved directions).
        var additionalDraws = Enumerable.Range(1, spec.DirectionCount - 1).Select(k =>
        {
            var drawn = spec.Directions.Select(d => new DirectionSource { Recipe = d.Recipe with { Seed = d.Recipe.Seed + k } }.Resolve(runtime, checkpoint)).ToArray();
            return new SurfaceDraw(drawn[0], drawn.Length > 1 ? drawn[1] : null);
        }).ToArray();
        return new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = directions[0],
            Y = directions.Length > 1 ? directions[1] : null,
            AdditionalDraws = additionalDraws,
            Grid = spec.Grid,
            Data = data,
            LossFunction = evaluation.LossFunction,
            Metric = spec.Metric == SurfaceMetric.Curvature ? new CurvatureMetric(evaluation.LossFunction, evaluation.BatchSize, evaluation.IgnoreBiasAndNorm, spec.LanczosTolerance, evaluation.Parameters) : null,
            BatchSize = evaluation.BatchSize,
            Workers = run.Workers,
            ThreadsPerPoint = run.ThreadsPerPoint ?? 1,
            FoldBatchNorm = evaluation.FoldBatchNorm,
            BatchNormStatistics = statistics,
            BatchNormResetData = statistics == BatchNormStatistics.Reset ? evaluation.BatchNormResetData : null,
            BatchNormResetBatches = evaluation.BatchNormResetBatches,
            Device = run.Device,
            Shard = spec.Shard,
        };
    }

    /// <summary>
    /// Adopts the grid of the unfinished surface file <paramref name="source"/> (ours or the paper
    /// code's) and journals its finished points for <paramref name="outFile"/>, so the engine's
    /// ordinary resume computes only the rest. The source is never modified.
    /// </summary>
    /// <returns>The request on the adopted grid, and how many finished points were taken over (null when <paramref name="outFile"/> already has its own progress, which the engine resumes).</returns>
    /// <exception cref="SpecException">The files are the same, or the source does not fit the request.</exception>
    public static (SurfaceRequest Request, int? Taken) TakeOver(LandscapeRuntime runtime, SurfaceRequest request, string source, string outFile)
    {
        if (string.Equals(Path.GetFullPath(source), Path.GetFullPath(outFile), StringComparison.Ordinal))
            throw new SpecException(SpecProblem.Argument, "-OutFile must differ from -ResumeFrom: the original file is never modified.");
        var earlier = SurfaceStore.Read(source, allowForeign: true);
        if ((earlier.Grid.Y is null) != (request.Y is null))
            throw new SpecException(SpecProblem.Direction, $"'{source}' is a {(earlier.Grid.Y is null ? 1 : 2)}D surface but {(request.Y is null ? 1 : 2)} direction(s) were given.");
        request = request with { Grid = earlier.Grid };
        if (File.Exists(outFile) || File.Exists(SurfaceJournal.PathFor(outFile))) return (request, null);

        var counts = request.Data.Select(d => DatasetCatalog.LoadArrays(runtime.DatasetCache, d).Count).ToArray();
        var metadata = SurfaceEngine.Describe(request, counts);
        var keys = request.EffectiveMetric.Keys(metadata.Data);
        if (!keys.All(earlier.Values.ContainsKey))
            throw new SpecException(SpecProblem.Argument, $"'{source}' holds {string.Join(", ", earlier.Values.Keys)}; this surface needs {string.Join(", ", keys)}.");
        using var journal = SurfaceJournal.Open(SurfaceJournal.PathFor(outFile), metadata, keys.Count, out _);
        var taken = 0;
        for (var index = 0; index < earlier.Computed.Length; index++)
        {
            // A shard file holds only its own points: the rest belong to the other shards' files.
            if (!earlier.Computed[index] || request.Shard?.Owns(index) == false) continue;
            journal.Append(index, keys.Select(k => earlier.Values[k][index]).ToArray());
            taken++;
        }
        return (request, taken);
    }
}
