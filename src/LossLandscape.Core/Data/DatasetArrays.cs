namespace LossLandscape.Core.Data;

/// <summary>
/// A labelled image set in managed memory, samples in NCHW order. Kept managed so that splits and
/// subsets are exact and cheap before anything becomes a tensor.
/// </summary>
public sealed record DatasetArrays(float[] Inputs, long[] Labels, int Channels, int Height, int Width, int ClassCount)
{
    public int Count => Labels.Length;

    public int SampleSize => Channels * Height * Width;

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public DatasetArrays Select(IReadOnlyList<int> indices)
    {
        var inputs = new float[indices.Count * SampleSize];
        var labels = new long[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Array.Copy(Inputs, (long)indices[i] * SampleSize, inputs, (long)i * SampleSize, SampleSize);
            labels[i] = Labels[indices[i]];
        }
        return this with { Inputs = inputs, Labels = labels };
    }

    /// <summary>A seeded random subset of at most <paramref name="maxSamples"/>, kept in original order.</summary>
    public DatasetArrays Subset(int maxSamples, long seed)
    {
        if (maxSamples < 1) throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "MaxSamples must be at least 1.");
        if (maxSamples >= Count) return this;
        var chosen = DeterministicShuffle.Permutation(Count, seed).Take(maxSamples).Order().ToArray();
        return Select(chosen);
    }
}
