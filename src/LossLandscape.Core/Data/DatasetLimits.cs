namespace LossLandscape.Core.Data;

/// <summary>
/// What a data set read from a folder may make the loaders allocate, checked against the sizes the
/// headers declare before anything is allocated or decompressed.
/// </summary>
public static class DatasetLimits
{
    /// <summary>
    /// The most input values (pixels) one split may hold: 1 GiB as floats, five times the MNIST and
    /// CIFAR-10 training sets (47 and 154 million values).
    /// </summary>
    public const long MaxInputValues = 1L << 28;

    /// <summary>The most bytes a pickled CIFAR-10 python batch may have (each real one has 31 MB).</summary>
    public const long MaxPickleBytes = 256L << 20;

    /// <summary>
    /// The most token positions (examples × sequence length) one token split may hold: 64 Mi, 1 GiB as
    /// int64 tokens and targets. The whole ModularArithmetic table of the largest modulus (4 × 4093²) fits.
    /// </summary>
    public const long MaxTokenPositions = 1L << 26;

    /// <summary>The most bytes a .bin token stream may have: 256 MiB, 128 Mi uint16 tokens.</summary>
    public const long MaxTokenFileBytes = 256L << 20;

    /// <summary>Refuses a split whose declared size exceeds <see cref="MaxInputValues"/>.</summary>
    /// <exception cref="InvalidDataException">It does.</exception>
    public static void RequireInputValues(string path, long values, string what)
    {
        if (values > MaxInputValues)
            throw new InvalidDataException($"'{path}' declares {what}: {values} values, more than the {MaxInputValues} a data set may hold; it is not read.");
    }

    /// <summary>Refuses a token split of more than <see cref="MaxTokenPositions"/> positions.</summary>
    /// <exception cref="InvalidDataException">It has more.</exception>
    public static void RequireTokenPositions(string path, long positions, string what)
    {
        if (positions > MaxTokenPositions)
            throw new InvalidDataException($"'{path}' gives {what}: {positions} token positions, more than the {MaxTokenPositions} a data set may hold; it is not read.");
    }

    /// <summary>Refuses a token file longer than <see cref="MaxTokenFileBytes"/>, before reading it.</summary>
    /// <exception cref="InvalidDataException">It is longer.</exception>
    public static void RequireTokenFileBytes(string path, long length)
    {
        if (length > MaxTokenFileBytes)
            throw new InvalidDataException($"'{path}' has {length} bytes, more than the {MaxTokenFileBytes} a token file may have; it is not read.");
    }
}
