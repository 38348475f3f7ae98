namespace LossLandscape.Core.Checkpoints;

/// <summary>A checkpoint that cannot be used, with the reason as a stable kind.</summary>
public sealed class CheckpointException(CheckpointErrorKind kind, string path, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CheckpointErrorKind Kind { get; } = kind;

    public string Path { get; } = path;
}
