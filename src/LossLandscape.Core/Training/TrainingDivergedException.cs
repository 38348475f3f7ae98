namespace LossLandscape.Core.Training;

/// <summary>
/// The loss or the weights stopped being finite numbers. No checkpoint of that epoch is written:
/// one with non-finite weights is useless, and its loss could not be recorded.
/// </summary>
/// <param name="batch">The 1-based batch after which it was seen, or null when only the end-of-epoch evaluation showed it.</param>
/// <param name="lastKept">The last checkpoint kept ("step 300") where a run is checkpointed by step; null: the epoch before.</param>
public sealed class TrainingDivergedException(int epoch, int? batch, string what, string? lastKept = null)
    : Exception($"Training diverged in epoch {epoch}{(batch is null ? " (at its end-of-epoch evaluation)" : $", batch {batch}")}: {what}. Checkpoints up to {lastKept ?? $"epoch {epoch - 1}"} are kept; lower the learning rate.")
{
    public int Epoch { get; } = epoch;

    public int? Batch { get; } = batch;
}
