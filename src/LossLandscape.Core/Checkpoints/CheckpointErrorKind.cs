namespace LossLandscape.Core.Checkpoints;

public enum CheckpointErrorKind
{
    NotFound,
    IsDirectory,
    MissingMetadata,
    Corrupt,
    UnknownArchitecture,
    ArchitectureMismatch,
}
