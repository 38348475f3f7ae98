using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// The JSON side file of a checkpoint: enough to rebuild the model and know where it came from.
/// It holds no timestamps and no absolute paths, so equal runs write equal bytes.
/// </summary>
public sealed record CheckpointMetadata
{
    public const string FormatName = "LossLandscape.Checkpoint";
    public const int CurrentFormatVersion = 1;

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public required ModelSpec Model { get; init; }

    /// <summary>File name (no folder) of the TorchSharp state dictionary beside this file.</summary>
    public required string StateFile { get; init; }

    public required string StateSha256 { get; init; }

    public int? Epoch { get; init; }

    /// <summary>Optimizer steps taken before this checkpoint, for a run checkpointed by step (null for one checkpointed by epoch).</summary>
    public long? Step { get; init; }

    public DatasetReference? Dataset { get; init; }

    public TrainingOptions? Training { get; init; }

    /// <summary>Set on the bend of a trained curve (<see cref="Connectivity.CurveTrainer"/>): how it was trained, and between which endpoints.</summary>
    public Connectivity.CurveTrainingOptions? CurveTraining { get; init; }

    /// <summary>Learning rate of the last optimizer step before this checkpoint (null for step 0 and for imported weights).</summary>
    public double? LearningRate { get; init; }

    public double? TrainLoss { get; init; }

    /// <summary>Percent correct, as the paper's code reports it.</summary>
    public double? TrainAccuracy { get; init; }

    public double? TestLoss { get; init; }

    public double? TestAccuracy { get; init; }

    /// <summary>
    /// libtorch intra-op threads the training ran with (null for imported weights). The same seed
    /// with another count gives the same run up to the last bits of the weights: reductions are
    /// split by thread.
    /// </summary>
    public int? IntraOpThreads { get; init; }
}
