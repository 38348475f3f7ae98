namespace LossLandscape.Core.Checkpoints;

public enum CheckpointErrorKind
{
    NotFound,
    IsDirectory,
    MissingMetadata,
    Corrupt,
    UnknownArchitecture,
    ArchitectureMismatch,

    /// <summary>The file asks to run code (a pickle global outside the allowlist): refused unread.</summary>
    Unsafe,
}
