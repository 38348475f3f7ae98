using LossLandscape.Core.Checkpoints;

namespace LossLandscape.Core.Training;

/// <summary>How a training run reports to its host (a cmdlet, a test) without knowing it.</summary>
public interface ITrainingObserver
{
    void BatchCompleted(TrainingProgress progress);

    /// <param name="reused">True when the checkpoint was already on disk from an earlier, identical run.</param>
    void CheckpointReady(CheckpointInfo checkpoint, bool reused);

    void Verbose(string message);

    /// <summary>Something the user should know that does not stop the run; observers without a warning channel log it.</summary>
    void Warning(string message) => Verbose(message);
}
