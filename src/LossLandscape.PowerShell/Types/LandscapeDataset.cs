using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// A data set (built in by name, or a folder in a known format) by split and subset, with its size;
/// loaded into tensors only by the cmdlet that uses it.
/// </summary>
public sealed class LandscapeDataset
{
    internal LandscapeDataset(DatasetReference reference, DatasetArrays arrays)
    {
        Reference = reference;
        Count = arrays.Count;
        Channels = arrays.Channels;
        Height = arrays.Height;
        Width = arrays.Width;
        ClassCount = arrays.ClassCount;
    }

    internal DatasetReference Reference { get; }

    public string Name => Reference.Name;

    public DatasetFormat Format => Reference.Format;

    /// <summary>The folder the data set is read from; null when built in.</summary>
    public string? Path => Reference.Path;

    public DatasetSplit Split => Reference.Split;

    public int? MaxSamples => Reference.MaxSamples;

    public long SubsetSeed => Reference.SubsetSeed;

    public int Count { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int ClassCount { get; }

    public string Shape => $"{Channels}×{Height}×{Width}";

    public override string ToString() => $"{Reference} ({Count} samples, {Shape}, {ClassCount} classes)";

    /// <summary>Reads the data set once to check it and learn its size; built-in names get their canonical spelling.</summary>
    /// <exception cref="ArgumentException">Unknown name or invalid subset.</exception>
    /// <exception cref="IOException">A folder or file of a data set on disk is missing.</exception>
    /// <exception cref="InvalidDataException">A file of a data set on disk is not in its format.</exception>
    internal static LandscapeDataset Resolve(DatasetCache cache, DatasetReference reference)
    {
        var canonical = reference.Format == DatasetFormat.BuiltIn ? reference with { Name = DatasetCatalog.CanonicalName(reference.Name) } : reference;
        return new LandscapeDataset(canonical, DatasetCatalog.LoadArrays(cache, canonical));
    }
}
