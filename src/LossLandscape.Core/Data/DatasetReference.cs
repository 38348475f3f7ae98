using System.Text.Json.Serialization;

namespace LossLandscape.Core.Data;

/// <summary>
/// Names a data set without holding it: what checkpoints record and pipeline objects carry.
/// <see cref="MaxSamples"/> keeps a seeded random subset of that many samples (null: all).
/// A built-in set is known by <see cref="Name"/> alone; a set on disk also has a <see cref="Format"/>
/// and the folder <see cref="Path"/> (<see cref="DatasetCatalog.FromFolder"/>).
/// </summary>
public sealed record DatasetReference(string Name, DatasetSplit Split = DatasetSplit.Train, int? MaxSamples = null, long SubsetSeed = 0)
{
    /// <summary>The folder of a data set on disk, as a full path; null for built-in sets.</summary>
    public string? Path { get; init; }

    /// <summary>
    /// Not written when built in, so references to built-in sets serialize exactly as before the
    /// property existed and old checkpoints (which lack it) read back as built in.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public DatasetFormat Format { get; init; }

    /// <summary>How a token data set is made (ModularArithmetic, TokenBin, Npy); null for images and for ModularArithmetic's defaults.</summary>
    public TokenOptions? Tokens { get; init; }

    public DatasetReference WithSplit(DatasetSplit split) => this with { Split = split };

    public override string ToString()
    {
        var location = Path is null ? "" : $" in {Path}";
        var making = Tokens is null ? "" : $" [{Tokens.Describe()}]";
        return MaxSamples is { } max ? $"{Name}/{Split}{location}{making} (≤{max} samples, seed {SubsetSeed})" : $"{Name}/{Split}{location}{making}";
    }
}
