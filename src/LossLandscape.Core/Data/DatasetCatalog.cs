namespace LossLandscape.Core.Data;

/// <summary>The data sets the tool knows by name. Later formats (CIFAR-10 binary, MNIST idx) register here.</summary>
public static class DatasetCatalog
{
    public static IReadOnlyList<string> Names { get; } = [DigitsData.Name];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the named split and applies the reference's subset.</summary>
    /// <exception cref="ArgumentException">Unknown name or invalid subset size.</exception>
    public static DatasetArrays LoadArrays(DatasetReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.MaxSamples is < 1)
            throw new ArgumentException($"MaxSamples must be at least 1 (got {reference.MaxSamples}).", nameof(reference));
        var arrays = reference.Name.ToUpperInvariant() switch
        {
            "DIGITS" => DigitsData.Load(reference.Split),
            _ => throw new ArgumentException($"Unknown data set '{reference.Name}'. Known: {string.Join(", ", Names)}.", nameof(reference)),
        };
        return reference.MaxSamples is { } max ? arrays.Subset(max, reference.SubsetSeed) : arrays;
    }

    /// <summary>The canonical spelling of a known name (e.g. "digits" → "Digits").</summary>
    public static string CanonicalName(string name) =>
        Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown data set '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Loads the reference as tensors, once, for batched iteration.</summary>
    public static PreloadedDataset Load(DatasetReference reference) => new(reference, LoadArrays(reference));
}
