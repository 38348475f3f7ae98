using LossLandscape.Core.Curvature;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Specs;

/// <summary>
/// One surface, declared once: how the checkpoint is evaluated, along which directions, on which
/// grid, what each point holds, and which shard of the grid to compute. What cmdlets bind their
/// parameters into and what a cluster job's tasks read from its folder; <see cref="SurfacePlanner"/>
/// turns it into the engine's work.
/// </summary>
public sealed record SurfaceSpec
{
    public required EvaluationSpec Evaluation { get; init; }

    /// <summary>One direction for a line, two for a plane.</summary>
    public required IReadOnlyList<DirectionSource> Directions { get; init; }

    public required SurfaceGrid Grid { get; init; }

    /// <summary>
    /// How many direction draws to compute the line or plane along: draw k uses the random directions
    /// of seed Seed + k (the first direction's seed), so draw 0 is the surface of one draw.
    /// </summary>
    public int DirectionCount { get; init; } = 1;

    public SurfaceMetric Metric { get; init; } = SurfaceMetric.Loss;

    /// <summary>Relative tolerance of the Lanczos eigenvalues of <see cref="SurfaceMetric.Curvature"/>.</summary>
    public double LanczosTolerance { get; init; } = CurvatureMetric.PaperTolerance;

    /// <summary>Compute only this share of the grid; the whole grid when null.</summary>
    public SurfaceShard? Shard { get; init; }

    /// <exception cref="SpecException">A setting is out of range or settings contradict each other.</exception>
    public void Validate()
    {
        Evaluation.Validate();
        if (Directions.Count != (Grid.IsTwoDimensional ? 2 : 1))
            throw new SpecException(SpecProblem.Direction, Grid.IsTwoDimensional ? "A 2D surface needs two directions." : "A 1D surface takes one direction.");
        foreach (var axis in Grid.Y is null ? [Grid.X] : new[] { Grid.X, Grid.Y })
        {
            if (axis.Length < 1 || axis.Any(v => !double.IsFinite(v))) throw new SpecException(SpecProblem.Argument, "Grid coordinates must be finite and non-empty.");
        }
        if (Evaluation.Parameters is { } subset && Directions.FirstOrDefault(d => !subset.Equals(d.Recipe.Parameters)) is { } other)
            throw new SpecException(SpecProblem.Parameter, $"-Parameter {subset} restricts the random directions drawn here; the {(other.Recipe.Axis == 0 ? "x" : "y")} direction given with -Direction moves {(other.Recipe.Parameters is { } own ? $"only {own}" : "every parameter")}. Draw the directions with the same -Parameter, or leave -Parameter out.") { Value = subset.ToString() };
        ValidateDirectionCount();
        if (!(LanczosTolerance > 0 && LanczosTolerance < 1)) throw new SpecException(SpecProblem.Argument, $"The Lanczos tolerance must be in (0, 1) (got {LanczosTolerance}).");
        if (Evaluation.FoldBatchNorm && Metric == SurfaceMetric.Curvature)
            throw new SpecException(SpecProblem.Argument, "-FoldBatchNorm applies to the loss metric, not to curvature: its gradients need the unfolded model.");
        if (Shard is { } shard && shard.Count > Grid.PointCount)
            throw new SpecException(SpecProblem.Shard, $"{shard.Count} shards is more than the grid's {Grid.PointCount} points: some would have nothing to compute.");
    }

    private void ValidateDirectionCount()
    {
        if (DirectionCount < 1) throw new SpecException(SpecProblem.DirectionCount, $"-DirectionCount must be at least 1 (got {DirectionCount}).") { Value = DirectionCount };
        if (DirectionCount == 1) return;
        if (Directions.FirstOrDefault(d => d.Recipe.Kind != DirectionKind.Random) is { } fixedDirection)
            throw new SpecException(SpecProblem.DirectionCount, $"-DirectionCount draws random directions by seed (seed + k for draw k); the {(fixedDirection.Recipe.Axis == 0 ? "x" : "y")} direction is a {fixedDirection.Recipe.Kind} direction, which has no seed to vary.") { Value = DirectionCount };
        var seed = Directions[0].Recipe.Seed;
        if (seed > long.MaxValue - (DirectionCount - 1))
            throw new SpecException(SpecProblem.DirectionCount, $"-Seed {seed} leaves no room for {DirectionCount} draws (seeds {seed} + k must stay below {long.MaxValue}).") { Value = DirectionCount };
        if ((long)DirectionCount * Grid.PointCount > SurfaceFile.MaxCells)
            throw new SpecException(SpecProblem.DirectionCount, $"{DirectionCount} draws of {Grid.PointCount} points are more than the {SurfaceFile.MaxCells} cells a surface file may hold.") { Value = DirectionCount };
    }
}
