namespace LossLandscape.Core.Training;

/// <summary>Where a training run is: epoch and batch (1-based) and the running mean loss of the epoch.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss)
{
    /// <summary>Optimizer steps taken so far in the whole run; 0 where the run counts only epochs.</summary>
    public long Step { get; init; }

    /// <summary>Optimizer steps of the whole run (the cap where it may stop early); 0 where the run counts only epochs.</summary>
    public long Steps { get; init; }

    /// <summary>The learning rate of the step just taken.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Fraction of all batches of the run done, in [0, 1].</summary>
    public double Fraction => Steps > 0
        ? Step / (double)Steps
        : ((Epoch - 1) * (double)Batches + Batch) / (Epochs * (double)Batches);
}
