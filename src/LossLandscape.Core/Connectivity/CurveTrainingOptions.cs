using LossLandscape.Core.Data;

namespace LossLandscape.Core.Connectivity;

/// <summary>
/// Everything that determines a curve's training (<see cref="CurveTrainer"/>): the endpoints by the
/// SHA-256 of their states, the curve, the data and SGD's settings. Equal options give the same bend
/// bit for bit (with the same thread count), and a rerun with equal options resumes.
/// </summary>
public sealed record CurveTrainingOptions
{
    public CurveKind Curve { get; init; } = CurveKind.Bezier;

    /// <summary>θ_A, at t = 0.</summary>
    public required string StartSha256 { get; init; }

    /// <summary>θ_B, at t = 1.</summary>
    public required string TargetSha256 { get; init; }

    /// <summary>The training data, subset included.</summary>
    public required DatasetReference Dataset { get; init; }

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 0.05;

    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 on the bend only: the endpoints are fixed, so they take none.</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Seeds the batch order and the t of every minibatch.</summary>
    public long Seed { get; init; }

    /// <summary>Whether the curve was trained between these two states, in either order (a curve read backwards is the same curve).</summary>
    public bool Connects(string startSha256, string targetSha256) =>
        (Same(StartSha256, startSha256) && Same(TargetSha256, targetSha256)) || (Same(StartSha256, targetSha256) && Same(TargetSha256, startSha256));

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Curve)) throw new ArgumentException($"Unknown curve {Curve}.");
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 2) throw new ArgumentException($"BatchSize must be at least 2 (got {BatchSize}): BatchNorm cannot take the statistics of one sample.");
        if (!(LearningRate > 0) || LearningRate > float.MaxValue) throw new ArgumentException($"LearningRate must be a positive float32 number (got {LearningRate}).");
        if (Momentum is < 0 or >= 1 || double.IsNaN(Momentum)) throw new ArgumentException($"Momentum must be in [0, 1) (got {Momentum}).");
        if (WeightDecay < 0 || !double.IsFinite(WeightDecay)) throw new ArgumentException($"WeightDecay must be ≥ 0 (got {WeightDecay}).");
    }
}
