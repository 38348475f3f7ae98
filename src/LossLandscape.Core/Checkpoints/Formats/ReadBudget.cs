namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>A tensor as a file declares it, before any of its data is read.</summary>
public sealed record DeclaredTensor(string Name, TensorDType DType, long[] Shape);

/// <summary>
/// What a checkpoint reader may allocate, decided before it allocates anything: a file's header
/// and pickle declare sizes freely (a 65 KB file can declare a 6 GB view, a 2 MB zip a 2 GB
/// record), so every storage, zip record and materialised tensor is charged here first. With an
/// expected state (the architecture is known) the declared tensors are checked against it before
/// any data is read, and the bytes are bounded by that state's size; without one, by
/// <see cref="FileSizeFactor"/> × the file's size.
/// </summary>
public sealed class ReadBudget
{
    /// <summary>k: a file read without an expected state may allocate k × its own size (plus the margin).</summary>
    public const int FileSizeFactor = 4;

    /// <summary>Room for a pickle's small values, names and bookkeeping beyond the tensors themselves.</summary>
    public const long MarginBytes = 64L << 20;

    // Float64 is the widest element a state may be stored in; the file's storages and the
    // contiguous copies made from them are both held until the state is complete.
    private const int WidestElementBytes = 8;
    private const int CopiesHeld = 2;

    private readonly Func<IReadOnlyList<DeclaredTensor>, string?>? checkDeclared;
    private long spent;

    private ReadBudget(long maxBytes, IReadOnlyDictionary<string, long>? expectedCounts, Func<IReadOnlyList<DeclaredTensor>, string?>? checkDeclared)
    {
        MaxBytes = maxBytes;
        ExpectedCounts = expectedCounts;
        this.checkDeclared = checkDeclared;
    }

    public long MaxBytes { get; }

    /// <summary>Element count of each expected tensor by name; null when no state is expected.</summary>
    public IReadOnlyDictionary<string, long>? ExpectedCounts { get; }

    public static ReadBudget ForFile(long fileLength) =>
        new(MarginBytes + FileSizeFactor * Math.Max(fileLength, 0), null, null);

    /// <param name="expected">The names and element counts of the state the file must hold.</param>
    /// <param name="checkDeclared">Describes why the declared tensors do not fit the expected state, or null where they do.</param>
    public static ReadBudget ForState(IReadOnlyDictionary<string, long> expected, Func<IReadOnlyList<DeclaredTensor>, string?> checkDeclared) =>
        new(MarginBytes + CopiesHeld * WidestElementBytes * expected.Values.Sum(), expected, checkDeclared);

    /// <exception cref="DeclaredStateMismatchException">The declared tensors are not the expected state.</exception>
    public void CheckDeclared(IReadOnlyList<DeclaredTensor> declared)
    {
        if (checkDeclared?.Invoke(declared) is { } problem) throw new DeclaredStateMismatchException(problem);
    }

    /// <exception cref="CheckpointTooLargeException">The allocation would pass the budget (or what one array can hold).</exception>
    public void Spend(long bytes, string what)
    {
        if (bytes < 0 || bytes > Array.MaxLength || bytes > MaxBytes - spent)
            throw new CheckpointTooLargeException(
                $"{what} needs {bytes} bytes, past this file's read budget ({MaxBytes} bytes, {spent} already used; " +
                (ExpectedCounts is null ? $"{FileSizeFactor} × the file's size" : "the expected state's size") + $" plus {MarginBytes} bytes)");
        spent += bytes;
    }
}

/// <summary>A file declares more data than its read budget allows; refused before allocating it.</summary>
public sealed class CheckpointTooLargeException(string message) : Exception(message);

/// <summary>A file's declared tensors (names, shapes, element types) are not the expected state; refused before reading their data.</summary>
public sealed class DeclaredStateMismatchException(string message) : Exception(message);
