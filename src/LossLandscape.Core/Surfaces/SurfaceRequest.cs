using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Surfaces;

/// <summary>What to compute: the checkpoint, one or two directions, the grid and the data.</summary>
public sealed record SurfaceRequest
{
    public required CheckpointInfo Checkpoint { get; init; }

    public required DirectionVector X { get; init; }

    public DirectionVector? Y { get; init; }

    /// <summary>
    /// The direction draws after the first (<see cref="X"/>, <see cref="Y"/>) of -DirectionCount: the
    /// same line or plane is computed along each. Empty for one draw.
    /// </summary>
    public IReadOnlyList<SurfaceDraw> AdditionalDraws { get; init; } = [];

    /// <summary>Every direction draw, the first (<see cref="X"/>, <see cref="Y"/>) included.</summary>
    public IReadOnlyList<SurfaceDraw> Draws => [new SurfaceDraw(X, Y), .. AdditionalDraws];

    public required SurfaceGrid Grid { get; init; }

    /// <summary>Data sets to evaluate on; each gives a loss and an accuracy per point.</summary>
    public required IReadOnlyList<DatasetReference> Data { get; init; }

    public LossFunction LossFunction { get; init; } = LossFunction.CrossEntropy;

    /// <summary>What is computed at each point; loss and accuracy per data set when null.</summary>
    public IPointMetric? Metric { get; init; }

    public IPointMetric EffectiveMetric => Metric ?? new LossMetric(LossFunction, BatchSize, BatchNormStatistics == BatchNormStatistics.Batch);

    public int BatchSize { get; init; } = Evaluation.DefaultBatchSize;

    /// <summary>Grid points evaluated at once, each on its own thread with its own model copy.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>libtorch intra-op threads each point is evaluated with; fixed so results do not depend on <see cref="Workers"/>.</summary>
    public int ThreadsPerPoint { get; init; } = 1;

    /// <summary>
    /// Fold each BatchNorm into the convolution before it (see <see cref="BatchNormFolding"/>): faster,
    /// equal to the unfolded values up to float rounding. Loss metric only.
    /// </summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>Which statistics BatchNorm normalizes with at each point; <see cref="BatchNormStatistics.Interpolate"/> exactly when the directions carry them.</summary>
    public BatchNormStatistics BatchNormStatistics { get; init; } = BatchNormStatistics.Running;

    /// <summary>With <see cref="BatchNormStatistics.Reset"/>: the training data the statistics are recomputed from at each point.</summary>
    public DatasetReference? BatchNormResetData { get; init; }

    /// <summary>With <see cref="BatchNormStatistics.Reset"/>: k, the batches of <see cref="BatchSize"/> recomputed from; null for all.</summary>
    public int? BatchNormResetBatches { get; init; }

    /// <summary>
    /// Where the model copies, θ*, the directions and the data live. Not part of the surface's
    /// metadata: a file started on one device may be finished on another.
    /// </summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Compute only this share of the grid (see <see cref="SurfaceShard"/>); the whole grid when null.</summary>
    public SurfaceShard? Shard { get; init; }

    public void Validate()
    {
        if (Grid.IsTwoDimensional != (Y is not null)) throw new ArgumentException(Y is null ? "A 2D grid needs two directions." : "A 1D grid takes one direction.");
        if (Data.Count == 0) throw new ArgumentException("At least one data split is needed.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).");
        if (Workers < 1) throw new ArgumentException($"Workers must be at least 1 (got {Workers}).");
        if (FoldBatchNorm && EffectiveMetric.NeedsGradients) throw new ArgumentException($"FoldBatchNorm applies to forward-only metrics, not to {EffectiveMetric.Name}: its gradients need the unfolded model.");
        var moving = X.Buffers is not null || Y?.Buffers is not null;
        if (moving != (BatchNormStatistics == BatchNormStatistics.Interpolate))
            throw new ArgumentException(moving ? $"These directions move the BatchNorm running statistics; -BatchNormStatistics {BatchNormStatistics} would ignore that." : "-BatchNormStatistics Interpolate needs a -Target direction that moves the running statistics (made with -Target and -BatchNormStatistics Interpolate).");
        if ((BatchNormStatistics == BatchNormStatistics.Reset) != (BatchNormResetData is not null))
            throw new ArgumentException("Recomputed BatchNorm statistics need their training data, and only they do.");
        if (FoldBatchNorm && BatchNormStatistics is BatchNormStatistics.Reset or BatchNormStatistics.Batch)
            throw new ArgumentException($"FoldBatchNorm bakes the running statistics into the convolutions; BatchNormStatistics {BatchNormStatistics} normalizes with others.");
        if (BatchNormStatistics == BatchNormStatistics.Batch && EffectiveMetric.NeedsGradients)
            throw new ArgumentException($"Batch statistics apply to forward-only metrics, not to {EffectiveMetric.Name}.");
        if (ThreadsPerPoint < 1) throw new ArgumentException($"ThreadsPerPoint must be at least 1 (got {ThreadsPerPoint}).");
        foreach (var axis in Grid.Y is null ? [Grid.X] : new[] { Grid.X, Grid.Y })
        {
            if (axis.Length < 1 || axis.Any(v => !double.IsFinite(v))) throw new ArgumentException("Grid coordinates must be finite and non-empty.");
        }
        if (Draws.Any(d => (d.Y is null) != (Y is null)))
            throw new ArgumentException("Every direction draw needs as many directions as the grid has axes.");
        if (Draws.SelectMany(d => d.Y is null ? [d.X] : new[] { d.X, d.Y }).Any(d => d.Recipe.CheckpointSha256 != Checkpoint.Metadata.StateSha256))
            throw new ArgumentException("The directions were made for a different checkpoint (θ* hash differs).");
    }
}

/// <summary>One draw of a surface's directions: x, and y for a plane.</summary>
public sealed record SurfaceDraw(DirectionVector X, DirectionVector? Y);
