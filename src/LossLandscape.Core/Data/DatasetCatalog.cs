using LossLandscape.Core.Native;

namespace LossLandscape.Core.Data;

/// <summary>
/// The data sets the tool can read: built-in sets by name (<see cref="Names"/>), and folders in a known
/// layout (<see cref="FromFolder"/>, <see cref="DatasetFormat"/>).
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The built-in data sets.</summary>
    public static IReadOnlyList<string> Names { get; } = [DigitsData.Name, SyntheticCifarData.Name, SyntheticPatternsData.Name, ModularArithmeticData.Name];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A reference to a split of a data set in <paramref name="folder"/>, named after its format and
    /// holding the folder as a full path (relative paths resolve against the process's current directory).
    /// Nothing is read until the reference is loaded.
    /// </summary>
    /// <exception cref="ArgumentException">An empty folder path, or <see cref="DatasetFormat.BuiltIn"/>.</exception>
    public static DatasetReference FromFolder(string folder, DatasetFormat format, DatasetSplit split = DatasetSplit.Train)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (format == DatasetFormat.BuiltIn)
            throw new ArgumentException($"A folder holds a data set in a file format ({FolderFormats}); built-in sets ({string.Join(", ", Names)}) are named, not read from folders.", nameof(format));
        return new DatasetReference(format.ToString(), split) { Path = Path.GetFullPath(folder), Format = format };
    }

    /// <summary>Reads the split and applies the reference's subset.</summary>
    /// <exception cref="ArgumentException">Unknown name, invalid subset size, or a path that does not fit the format.</exception>
    /// <exception cref="IOException">The folder or one of its files is missing (the message says which files are expected where).</exception>
    /// <exception cref="InvalidDataException">A file is not in the format's layout.</exception>
    public static DatasetArrays LoadArrays(DatasetCache cache, DatasetReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.MaxSamples is < 1)
            throw new ArgumentException($"MaxSamples must be at least 1 (got {reference.MaxSamples}).", nameof(reference));
        if (reference.Tokens is not null && !IsTokenSource(reference))
            throw new ArgumentException($"'{reference.Name}' is an image set; token options (modulus, context length, …) apply to {ModularArithmeticData.Name}, {DatasetFormat.TokenBin} and {DatasetFormat.Npy} only.", nameof(reference));
        var arrays = reference.Format switch
        {
            DatasetFormat.BuiltIn => LoadBuiltIn(reference),
            DatasetFormat.Cifar10 => Cifar10Folder.Load(cache, RequirePath(reference), reference.Split),
            DatasetFormat.Mnist => MnistFolder.Load(cache, RequirePath(reference), reference.Split),
            DatasetFormat.Tensors => TensorFolder.Load(cache, RequirePath(reference), reference.Split),
            DatasetFormat.TokenBin => TokenBinFolder.Load(cache, RequirePath(reference), reference.Split, reference.Tokens),
            DatasetFormat.Npy => NpyTokenFolder.Load(cache, RequirePath(reference), reference.Split, reference.Tokens),
            _ => throw new ArgumentException($"Unknown data set format '{reference.Format}'. Known: {FolderFormats}.", nameof(reference)),
        };
        return reference.MaxSamples is { } max ? arrays.Subset(max, reference.SubsetSeed) : arrays;
    }

    /// <summary>The canonical spelling of a built-in name (e.g. "digits" → "Digits").</summary>
    public static string CanonicalName(string name) =>
        Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown data set '{name}'. Known: {string.Join(", ", Names)}; a folder in the {FolderFormats} format can be named by its path.", nameof(name));

    /// <summary>Loads the reference as tensors, once, for batched iteration.</summary>
    /// <param name="device">Where the tensors live (default: the CPU).</param>
    public static PreloadedDataset Load(LandscapeRuntime runtime, DatasetReference reference, ComputeDevice? device = null) => new(runtime, reference, LoadArrays(runtime.DatasetCache, reference), device: device);

    /// <summary>Whether the reference names token sequences rather than images.</summary>
    public static bool IsTokenSource(DatasetReference reference) => reference.Format switch
    {
        DatasetFormat.TokenBin or DatasetFormat.Npy => true,
        DatasetFormat.BuiltIn => string.Equals(reference.Name, ModularArithmeticData.Name, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string FolderFormats => string.Join(" or ", Enum.GetValues<DatasetFormat>().Where(f => f != DatasetFormat.BuiltIn));

    private static DatasetArrays LoadBuiltIn(DatasetReference reference)
    {
        if (reference.Path is not null)
            throw new ArgumentException($"'{reference.Name}' is built in and reads no folder, but the reference names '{reference.Path}'. Give the folder's format ({FolderFormats}).", nameof(reference));
        return CanonicalName(reference.Name) switch
        {
            DigitsData.Name => DigitsData.Load(reference.Split),
            SyntheticCifarData.Name => SyntheticCifarData.Load(reference.Split),
            SyntheticPatternsData.Name => SyntheticPatternsData.Load(reference.Split),
            ModularArithmeticData.Name => ModularArithmeticData.Load(reference.Tokens, reference.Split),
            var name => throw new InvalidOperationException($"The built-in data set '{name}' has no loader."),
        };
    }

    private static string RequirePath(DatasetReference reference) =>
        reference.Path ?? throw new ArgumentException($"A {reference.Format} data set is read from a folder, but the reference '{reference.Name}' names none.", nameof(reference));
}
