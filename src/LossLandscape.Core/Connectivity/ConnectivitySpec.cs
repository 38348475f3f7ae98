using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Connectivity;

/// <summary>
/// The linear path θ(t) = θ_A + t (θ_B − θ_A) between two checkpoints of one architecture, evaluated
/// on <see cref="Steps"/> points of t ∈ [0, 1] (identical endpoints give exactly θ_A). θ_A is the
/// <see cref="EvaluationSpec.Checkpoint"/>; every parameter moves (biases and BatchNorm γ/β too).
/// Immutable; <see cref="Plan"/> turns it into one surface spec per path.
/// </summary>
public sealed record ConnectivitySpec
{
    public required EvaluationSpec Evaluation { get; init; }

    /// <summary>θ_B.</summary>
    public required CheckpointSource Target { get; init; }

    public int Steps { get; init; } = 11;

    /// <summary>θ_bend of a trained curve (<see cref="CurveTrainer"/>): the path is the <see cref="Curve"/> through it, not the line.</summary>
    public CheckpointSource? Bend { get; init; }

    public CurveKind Curve { get; init; } = CurveKind.Bezier;

    /// <summary>Also one path per parameter group, only that group moving (layer-wise barriers, Adilova et al. 2024).</summary>
    public HessianGrouping? GroupBy { get; init; }

    /// <summary>The t of every path: linspace(0, 1, <see cref="Steps"/>), so 0 and 1 are exact.</summary>
    public double[] T => SurfaceGrid.Linspace(0, 1, Steps);

    /// <exception cref="SpecException">A setting is out of range.</exception>
    public void Validate()
    {
        Evaluation.Validate();
        if (Steps is < 2 or > 10_001) throw new SpecException(SpecProblem.Argument, $"-Steps must be between 2 and 10001 (got {Steps}).");
        if (Evaluation.Parameters is not null && GroupBy is not null)
            throw new SpecException(SpecProblem.Argument, "-Parameter moves one subset and -GroupBy one group at a time; give one of them.");
        if (Bend is not null && (GroupBy is not null || Evaluation.Parameters is not null))
            throw new SpecException(SpecProblem.Argument, "A curve moves every parameter through its bend; -GroupBy and -Parameter apply to the line only.");
        if (Bend is not null && Evaluation.BatchNormStatistics == BatchNormStatistics.Interpolate)
            throw new SpecException(SpecProblem.Argument, "Along a curve the BatchNorm statistics are recomputed (Reset) or θ_A's (Running); the bend's are not interpolated.") { Value = nameof(BatchNormStatistics.Interpolate) };
        if (Evaluation.BatchNormStatistics == BatchNormStatistics.Batch)
            throw new SpecException(SpecProblem.Argument, "Barriers compare the endpoints' own losses, which each batch's statistics would change; use Reset, Interpolate or Running.") { Value = nameof(BatchNormStatistics.Batch) };
        if (Evaluation.BatchNormStatistics == BatchNormStatistics.Interpolate && (Evaluation.Parameters is not null || GroupBy is not null))
            throw new SpecException(SpecProblem.Argument, "Interpolate moves every BatchNorm's statistics, which a parameter subset or group does not cover; use Reset.") { Value = nameof(BatchNormStatistics.Interpolate) };
    }

    /// <summary>
    /// The BatchNorm statistics the paths are evaluated with: as asked; by default Reset for a model
    /// with BatchNorm (θ_A's statistics do not fit the interpolated weights, and the network collapses
    /// without recomputing them: Jordan et al., REPAIR, ICLR 2023), else Running.
    /// </summary>
    public BatchNormStatistics StatisticsFor(ParameterLayout layout) => Evaluation.BatchNormStatistics
        ?? (layout.Buffers.Any(b => b.Name.EndsWith(".running_mean", StringComparison.Ordinal)) ? BatchNormStatistics.Reset : BatchNormStatistics.Running);

    /// <summary>The surface specs of the whole path and, with <see cref="GroupBy"/>, of each group's path, named.</summary>
    public IReadOnlyList<(string? Group, SurfaceSpec Surface)> Plan(ParameterLayout layout)
    {
        Validate();
        var statistics = StatisticsFor(layout);
        var evaluation = Evaluation with { BatchNormStatistics = statistics == BatchNormStatistics.Interpolate ? null : statistics };
        SurfaceSpec Path(ParameterSubset? subset) => new()
        {
            Evaluation = evaluation with { Parameters = subset, IgnoreBiasAndNorm = false },
            Directions =
            [
                new DirectionSource
                {
                    Recipe = new DirectionRecipe
                    {
                        Kind = DirectionKind.Target,
                        Normalization = DirectionNormalization.None,
                        IgnoreBiasAndNorm = false,
                        Parameters = subset,
                        BatchNormStatistics = statistics == BatchNormStatistics.Interpolate ? BatchNormStatistics.Interpolate : BatchNormStatistics.Running,
                        CheckpointSha256 = Evaluation.Checkpoint.StateSha256,
                        TargetSha256 = Target.StateSha256,
                    },
                    TargetPath = Target.Path,
                },
            ],
            Grid = new SurfaceGrid(T, null),
        };
        var paths = new List<(string?, SurfaceSpec)> { (null, Path(Evaluation.Parameters)) };
        if (GroupBy is { } by)
        {
            var groups = ParameterGroups.Of(layout.Parameters.Select(p => p.Name).ToArray(), layout.Parameters.Select(p => p.Length).ToArray(), by);
            var names = layout.Parameters.Select(p => p.Name).ToArray();
            var offsets = layout.Parameters.Select(p => p.Offset).ToArray();
            foreach (var group in groups)
            {
                var members = names.Where((_, i) => offsets[i] >= group.Offset && offsets[i] < group.Offset + group.Length).ToArray();
                paths.Add((group.Name, Path(new ParameterSubset(members))));
            }
        }
        return paths;
    }
}
