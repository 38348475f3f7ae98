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

    /// <summary>The file declares more data than its read budget allows: refused before allocating it.</summary>
    TooLarge,

    /// <summary>Our state file's SHA-256 is not the one its side file recorded.</summary>
    HashMismatch,

    /// <summary>A FIFO, device or socket: opening or reading it could block forever.</summary>
    NotRegularFile,

    /// <summary>A well-formed checkpoint of a model the zoo does not compute (another activation, an untied head, a nanoGPT without biases).</summary>
    Unsupported,
}
