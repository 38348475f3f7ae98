using System.Text.Json.Serialization;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Training;

/// <summary>
/// Everything that determines a training run's result. Two runs with equal options (and the same
/// thread count) produce identical checkpoints; a rerun with equal options resumes.
/// Options added after the first checkpoint format are left out of the JSON at their defaults, so
/// an epoch run's checkpoints keep the bytes they had before those options existed.
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

    /// <summary>Run length in optimizer steps (one step is one batch) instead of <see cref="Epochs"/>; 0: the epochs decide.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Steps { get; init; }

    /// <summary>Adam's and AdamW's β₁; null: PyTorch's 0.9.</summary>
    public double? Beta1 { get; init; }

    /// <summary>Adam's and AdamW's β₂; null: PyTorch's 0.999 (Power et al. train with 0.98).</summary>
    public double? Beta2 { get; init; }

    /// <summary>Optimizer steps over which the learning rate rises linearly to its value: step k of the warm-up uses k/WarmupSteps of it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WarmupSteps { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public LearningRateSchedule Schedule { get; init; }

    /// <summary>The floor that the cosine schedule reaches at the last step.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double MinimumLearningRate { get; init; }

    /// <summary>Write a checkpoint every this many steps (and at the last) instead of one per epoch; 0: per epoch.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CheckpointEvery { get; init; }

    /// <summary>Write at most this many checkpoints at log-spaced steps (<see cref="CheckpointPlan.LogSpacedSteps"/>) instead of one per epoch; 0: per epoch.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int LogCheckpointCount { get; init; }

    /// <summary>Stop before the last step once the test accuracy holds; null: train to the end.</summary>
    public EarlyStop? StopAt { get; init; }

    /// <summary>Checkpoints are named and recorded by step (step-NNNNNN) rather than by epoch.</summary>
    [JsonIgnore]
    public bool CheckpointsByStep => Steps > 0 || CheckpointEvery > 0 || LogCheckpointCount > 0;

    /// <summary>
    /// Whether a rerun may ask for more epochs than the folder's run and continue it: only when the
    /// length changes neither the learning rates nor which checkpoints are written.
    /// </summary>
    [JsonIgnore]
    public bool LengthMayGrow => !CheckpointsByStep && Schedule != LearningRateSchedule.Cosine;

    /// <summary>The optimizer steps of the whole run.</summary>
    public long TotalSteps(int batchesPerEpoch) => Steps > 0 ? Steps : (long)Epochs * batchesPerEpoch;

    /// <summary>The (1-based) epoch that (1-based) optimizer step <paramref name="step"/> falls in.</summary>
    public static int EpochOfStep(long step, int batchesPerEpoch) => (int)((step - 1) / batchesPerEpoch) + 1;

    /// <summary>The learning rate of the step schedule's milestones in force during epoch <paramref name="epoch"/> (1-based).</summary>
    public double LearningRateAt(int epoch) =>
        LearningRate * Math.Pow(LearningRateDecay, LearningRateMilestones.Count(milestone => epoch > milestone));

    /// <summary>
    /// The learning rate of optimizer step <paramref name="step"/> (1-based): a pure function of the
    /// step, so a resumed run uses the rates of an uninterrupted one.
    /// </summary>
    public double LearningRateAtStep(long step, int batchesPerEpoch)
    {
        var warmingUp = step <= WarmupSteps;
        var warmup = warmingUp ? (double)step / WarmupSteps : 1.0;
        return Schedule switch
        {
            LearningRateSchedule.Constant => LearningRate * warmup,
            LearningRateSchedule.Cosine when warmingUp => LearningRate * warmup,
            LearningRateSchedule.Cosine => MinimumLearningRate + (LearningRate - MinimumLearningRate)
                * 0.5 * (1 + Math.Cos(Math.PI * (step - WarmupSteps) / (TotalSteps(batchesPerEpoch) - WarmupSteps))),
            _ => warmup * LearningRateAt(EpochOfStep(step, batchesPerEpoch)),
        };
    }

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
        if (LearningRateMilestones.Count > 0 && Schedule != LearningRateSchedule.Step) throw new ArgumentException($"Learning-rate milestones belong to the Step schedule, not {Schedule}.");
        if (Steps < 0) throw new ArgumentException($"Steps must be at least 1, or 0 for a run of Epochs (got {Steps}).");
        if ((Beta1 is not null || Beta2 is not null) && Optimizer == OptimizerKind.Sgd) throw new ArgumentException("Beta1 and Beta2 belong to Adam and AdamW, not Sgd.");
        if (Beta1 is { } beta1 && (beta1 is < 0 or >= 1 || double.IsNaN(beta1))) throw new ArgumentException($"Beta1 must be in [0, 1) (got {beta1}).");
        if (Beta2 is { } beta2 && (beta2 is < 0 or >= 1 || double.IsNaN(beta2))) throw new ArgumentException($"Beta2 must be in [0, 1) (got {beta2}).");
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps must be ≥ 0 (got {WarmupSteps}).");
        if (MinimumLearningRate != 0 && Schedule != LearningRateSchedule.Cosine) throw new ArgumentException($"MinimumLearningRate is the floor of the Cosine schedule, not of {Schedule}.");
        if (MinimumLearningRate < 0 || !(MinimumLearningRate <= LearningRate)) throw new ArgumentException($"MinimumLearningRate must be in [0, LearningRate] (got {MinimumLearningRate}).");
        if (CheckpointEvery < 0) throw new ArgumentException($"CheckpointEvery must be ≥ 1 step, or 0 for one checkpoint per epoch (got {CheckpointEvery}).");
        if (LogCheckpointCount is < 0 or 1 or 2) throw new ArgumentException($"LogCheckpointCount must be at least 3 (step 0, step 1 and the last), or 0 for one checkpoint per epoch (got {LogCheckpointCount}).");
        if (CheckpointEvery > 0 && LogCheckpointCount > 0) throw new ArgumentException("Give CheckpointEvery or LogCheckpointCount, not both.");
        if (StopAt is { } stop && (!(stop.TestAccuracy is > 0 and <= 100) || stop.Consecutive < 1))
            throw new ArgumentException($"The early stop needs a test accuracy in (0, 100] percent and at least 1 consecutive evaluation (got {stop.TestAccuracy}% on {stop.Consecutive}).");
    }
}
