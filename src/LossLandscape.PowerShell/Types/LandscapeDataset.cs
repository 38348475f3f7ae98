using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// A data set (built in by name, or a folder in a known format) by split and subset, with its size;
/// loaded into tensors only by the cmdlet that uses it. Images or token sequences: for tokens, Count
/// is the number of sequences, ClassCount the vocabulary, and the token options are the ones given
/// (null where not given or not applicable), so that the object names its data exactly.
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
        SequenceLength = arrays.IsTokenData ? arrays.SequenceLength : null;
        MaskedPositions = arrays.IsTokenData ? arrays.MaskedTargetCount : null;
    }

    internal DatasetReference Reference { get; }

    public string Name => Reference.Name;

    public DatasetFormat Format => Reference.Format;

    /// <summary>The folder the data set is read from; null when built in.</summary>
    public string? Path => Reference.Path;

    public DatasetSplit Split => Reference.Split;

    public int? MaxSamples => Reference.MaxSamples;

    public long SubsetSeed => Reference.SubsetSeed;

    /// <summary>Images, or token sequences.</summary>
    public int Count { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The classes of images; the vocabulary of token data.</summary>
    public int ClassCount { get; }

    /// <summary>Tokens per sequence; null for images.</summary>
    public int? SequenceLength { get; }

    /// <summary>The positions inside the loss mask, over which loss and next-token accuracy are taken; null for images.</summary>
    public long? MaskedPositions { get; }

    public int? Modulus => Given(Reference.Tokens?.Modulus);

    public ModularOperation? Operation => Reference.Tokens is { Modulus: > 0 } tokens ? tokens.Operation : null;

    public double? TrainFraction => Reference.Tokens?.TrainFraction is > 0 and var fraction ? fraction : null;

    public long? SplitSeed => Reference.Tokens is { Modulus: > 0 } tokens ? tokens.SplitSeed : null;

    public int? ContextLength => Given(Reference.Tokens?.ContextLength);

    /// <summary>The stride given; null for windows that do not overlap (the stride is the context length).</summary>
    public int? Stride => Given(Reference.Tokens?.Stride);

    /// <summary>The vocabulary given; null when it is the largest token + 1 (<see cref="ClassCount"/> holds it either way).</summary>
    public int? VocabularySize => Given(Reference.Tokens?.VocabularySize);

    public string Shape => SequenceLength is { } length ? $"{length} tokens" : $"{Channels}×{Height}×{Width}";

    public override string ToString() => SequenceLength is { } length
        ? $"{Reference} ({Count} sequences of {length} tokens, vocabulary {ClassCount}, {MaskedPositions} masked positions)"
        : $"{Reference} ({Count} samples, {Shape}, {ClassCount} classes)";

    /// <summary>Reads the data set once to check it and learn its size; built-in names get their canonical spelling, ModularArithmetic its default options when given none.</summary>
    /// <exception cref="ArgumentException">Unknown name, invalid subset or token options.</exception>
    /// <exception cref="IOException">A folder or file of a data set on disk is missing.</exception>
    /// <exception cref="InvalidDataException">A file of a data set on disk is not in its format.</exception>
    internal static LandscapeDataset Resolve(DatasetCache cache, DatasetReference reference)
    {
        var canonical = reference.Format == DatasetFormat.BuiltIn ? reference with { Name = DatasetCatalog.CanonicalName(reference.Name) } : reference;
        if (canonical is { Format: DatasetFormat.BuiltIn, Name: ModularArithmeticData.Name, Tokens: null })
            canonical = canonical with { Tokens = TokenOptions.ModularArithmeticDefaults };
        return new LandscapeDataset(canonical, DatasetCatalog.LoadArrays(cache, canonical));
    }

    private static int? Given(int? value) => value is > 0 ? value : null;
}
