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

    /// <summary>Refuses a split whose declared size exceeds <see cref="MaxInputValues"/>.</summary>
    /// <exception cref="InvalidDataException">It does.</exception>
    public static void RequireInputValues(string path, long values, string what)
    {
        if (values > MaxInputValues)
            throw new InvalidDataException($"'{path}' declares {what}: {values} values, more than the {MaxInputValues} a data set may hold; it is not read.");
    }
}
