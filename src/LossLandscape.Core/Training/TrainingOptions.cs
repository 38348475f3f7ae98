using LossLandscape.Core.Data;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Training;

/// <summary>
/// Everything that determines a training run's result. Two runs with equal options (and the same
/// thread count) produce identical checkpoints; a rerun with equal options resumes.
/// </summary>
public sealed record TrainingOptions
{
    public required ModelSpec Model { get; init; }

    public required DatasetReference Dataset { get; init; }

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 64;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; init; } = 0.9;

    public bool Nesterov { get; init; }

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Epochs after which the learning rate is multiplied by <see cref="LearningRateDecay"/> (step schedule).</summary>
    public IReadOnlyList<int> LearningRateMilestones { get; init; } = [];

    public double LearningRateDecay { get; init; } = 0.1;

    public long Seed { get; init; }

    /// <summary>The learning rate in force during epoch <paramref name="epoch"/> (1-based).</summary>
    public double LearningRateAt(int epoch) =>
        LearningRate * Math.Pow(LearningRateDecay, LearningRateMilestones.Count(milestone => epoch > milestone));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be a positive number (got {LearningRate}).");
        // libtorch applies it in float32 and raises a native error for a value beyond that range.
        if (LearningRate > float.MaxValue) throw new ArgumentException($"LearningRate must fit a float32 (at most {float.MaxValue}; got {LearningRate}).");
        if (Momentum is < 0 or >= 1 || double.IsNaN(Momentum)) throw new ArgumentException($"Momentum must be in [0, 1) (got {Momentum}).");
        if (Nesterov && Optimizer == OptimizerKind.Sgd && Momentum == 0) throw new ArgumentException("Nesterov momentum needs Momentum > 0.");
        if (WeightDecay < 0 || !double.IsFinite(WeightDecay)) throw new ArgumentException($"WeightDecay must be ≥ 0 (got {WeightDecay}).");
        if (!(LearningRateDecay > 0) || !double.IsFinite(LearningRateDecay)) throw new ArgumentException($"LearningRateDecay must be positive (got {LearningRateDecay}).");
        if (LearningRateMilestones.Any(m => m < 1)) throw new ArgumentException("Learning-rate milestones must be epochs ≥ 1.");
    }
}
