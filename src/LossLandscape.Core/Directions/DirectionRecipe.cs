using System.Text.Json.Serialization;
using LossLandscape.Core.Checkpoints;

namespace LossLandscape.Core.Directions;

/// <summary>
/// How a direction was made: enough to rebuild it bit for bit from the same checkpoint(s).
/// <see cref="Axis"/> 0 is x (α), 1 is y (β); each axis draws from its own generator stream,
/// so x and y of one seed differ, and either can be rebuilt alone.
/// </summary>
public sealed record DirectionRecipe
{
    /// <summary>The default seed: the paper's code seeds with 123.</summary>
    public const long DefaultSeed = 123;

    public DirectionKind Kind { get; init; } = DirectionKind.Random;

    public DirectionNormalization Normalization { get; init; } = DirectionNormalization.Filter;

    public long Seed { get; init; } = DefaultSeed;

    public int Axis { get; init; }

    /// <summary>Zero the entries of tensors with dim ≤ 1 (biases, BatchNorm and LayerNorm γ/β); otherwise they copy θ*, as the paper's code does.</summary>
    public bool IgnoreBiasAndNorm { get; init; } = true;

    /// <summary>
    /// The parameters the direction moves (-Parameter); null for all. It is zero elsewhere, and each
    /// tensor inside holds what the whole-model direction of the same recipe holds there.
    /// </summary>
    public ParameterSubset? Parameters { get; init; }

    /// <summary>Made orthogonal to the x direction of the same seed (Gram–Schmidt, then rescaled to its former norm).</summary>
    public bool Orthogonalized { get; init; }

    /// <summary>Left out of the JSON when <see cref="BatchNormStatistics.Running"/>, so files written when it was named "Eval" compare equal.</summary>
    [JsonConverter(typeof(BatchNormStatisticsJsonConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BatchNormStatistics BatchNormStatistics { get; init; } = BatchNormStatistics.Running;

    /// <summary>SHA-256 of θ*'s state file.</summary>
    public required string CheckpointSha256 { get; init; }

    /// <summary>SHA-256 of θ_target's state file (target directions only).</summary>
    public string? TargetSha256 { get; init; }

    /// <summary>SHA-256 of θ_bend's state file (curve-plane directions only).</summary>
    public string? BendSha256 { get; init; }

    /// <summary>Curve-plane directions: the three points' coordinates in the plane and the curve drawn through them.</summary>
    public CurvePlane? Plane { get; init; }

    /// <summary>The Hessian eigenvalue an eigenvector direction belongs to (null for other kinds and for files written before it was recorded).</summary>
    public double? Eigenvalue { get; init; }

    public override string ToString() => Kind switch
    {
        DirectionKind.Target => $"target θ_t − θ* ({BatchNormStatistics} BN){(Parameters is null ? "" : $", parameters {Parameters}")}",
        DirectionKind.Pca => $"principal component {Axis + 1} of the trajectory",
        DirectionKind.Eigenvector => $"Hessian eigenvector {Axis + 1}{(Eigenvalue is { } λ ? $" (λ = {λ:G4})" : "")}"
            + (Normalization == DirectionNormalization.RandomNorm ? $", scaled to the norm of random seed {Seed} axis {(Axis == 0 ? "x" : "y")}" : ""),
        DirectionKind.CurvePlane => $"{(Axis == 0 ? "x ∝ θ_B − θ*" : "y ∝ θ_bend − θ*, orthogonal to x")}, unit norm, of the {Plane?.Curve} curve's plane",
        DirectionKind.File => $"read from a direction file (axis {(Axis == 0 ? "x" : "y")})",
        _ => $"random seed {Seed} axis {(Axis == 0 ? "x" : "y")}, {Normalization}{(IgnoreBiasAndNorm ? ", bias/BN zeroed" : "")}{(Orthogonalized ? ", orthogonalized" : "")}{(Parameters is null ? "" : $", parameters {Parameters}")}",
    };
}
