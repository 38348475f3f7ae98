using LossLandscape.Core.Data;

namespace LossLandscape.PowerShell.Types;

/// <summary>A data set by name, split and subset, with its size; loaded into tensors only by the cmdlet that uses it.</summary>
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

    /// <exception cref="ArgumentException">Unknown name or invalid subset.</exception>
    internal static LandscapeDataset Resolve(DatasetReference reference)
    {
        var canonical = reference with { Name = DatasetCatalog.CanonicalName(reference.Name) };
        return new LandscapeDataset(canonical, DatasetCatalog.LoadArrays(canonical));
    }
}
