namespace LossLandscape.Core.Training;

/// <summary>The output folder holds checkpoints that this run may not resume from or overwrite.</summary>
public sealed class TrainingDirectoryConflictException(string directory, string message) : InvalidOperationException(message)
{
    public string Directory { get; } = directory;
}
