namespace LossLandscape.Core.Training;

/// <summary>Where a training run is: epoch and batch (1-based) and the running mean loss of the epoch.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss)
{
    /// <summary>Fraction of all batches of the run done, in [0, 1].</summary>
    public double Fraction => ((Epoch - 1) * (double)Batches + Batch) / (Epochs * (double)Batches);
}
