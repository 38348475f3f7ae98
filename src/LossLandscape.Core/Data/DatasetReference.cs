namespace LossLandscape.Core.Data;

/// <summary>
/// Names a data set without holding it: what checkpoints record and pipeline objects carry.
/// <see cref="MaxSamples"/> keeps a seeded random subset of that many samples (null: all).
/// </summary>
public sealed record DatasetReference(string Name, DatasetSplit Split = DatasetSplit.Train, int? MaxSamples = null, long SubsetSeed = 0)
{
    public DatasetReference WithSplit(DatasetSplit split) => this with { Split = split };

    public override string ToString() =>
        MaxSamples is { } max ? $"{Name}/{Split} (≤{max} samples, seed {SubsetSeed})" : $"{Name}/{Split}";
}
