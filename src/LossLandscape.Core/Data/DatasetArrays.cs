namespace LossLandscape.Core.Data;

/// <summary>
/// A data set in managed memory, kept managed so that splits and subsets are exact and cheap before
/// anything becomes a tensor. Two kinds: labelled images (samples in NCHW order, one label each), and
/// token sequences (<see cref="FromTokens"/>: N×T tokens with N×T targets, <see cref="IgnoredTarget"/>
/// outside the loss mask).
/// </summary>
public sealed record DatasetArrays(float[] Inputs, long[] Labels, int Channels, int Height, int Width, int ClassCount)
{
    /// <summary>PyTorch's ignore_index: a target the loss and the accuracy skip.</summary>
    public const long IgnoredTarget = -100;

    /// <summary>Token sequences: <paramref name="tokens"/> and <paramref name="targets"/> N×T row-major; the class count is the vocabulary.</summary>
    public static DatasetArrays FromTokens(long[] tokens, long[] targets, int sequenceLength, int vocabularySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        if (tokens.Length != targets.Length || tokens.Length % sequenceLength != 0)
            throw new ArgumentException($"{tokens.Length} tokens and {targets.Length} targets are not whole sequences of {sequenceLength}.");
        return new DatasetArrays([], targets, 0, 0, 0, vocabularySize) { Tokens = tokens, SequenceLength = sequenceLength };
    }

    /// <summary>The input tokens of token data, N×T row-major; null for images.</summary>
    public long[]? Tokens { get; private init; }

    /// <summary>T, the tokens per example of token data; 0 for images.</summary>
    public int SequenceLength { get; private init; }

    public bool IsTokenData => Tokens is not null;

    public int Count => IsTokenData ? Labels.Length / SequenceLength : Labels.Length;

    /// <summary>Input values per example: pixels of an image, tokens of a sequence.</summary>
    public int SampleSize => IsTokenData ? SequenceLength : Channels * Height * Width;

    /// <summary>The targets the loss is taken on: every label of images, the targets inside the mask of token data.</summary>
    public long MaskedTargetCount => IsTokenData ? Labels.LongCount(target => target != IgnoredTarget) : Labels.Length;

    private int LabelsPerSample => IsTokenData ? SequenceLength : 1;

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public DatasetArrays Select(IReadOnlyList<int> indices)
    {
        var labels = SelectRows(Labels, indices, LabelsPerSample);
        return Tokens is null
            ? this with { Inputs = SelectRows(Inputs, indices, SampleSize), Labels = labels }
            : this with { Tokens = SelectRows(Tokens, indices, SampleSize), Labels = labels };
    }

    /// <summary>A seeded random subset of at most <paramref name="maxSamples"/>, kept in original order.</summary>
    public DatasetArrays Subset(int maxSamples, long seed)
    {
        if (maxSamples < 1) throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "MaxSamples must be at least 1.");
        if (maxSamples >= Count) return this;
        var chosen = DeterministicShuffle.Permutation(Count, seed).Take(maxSamples).Order().ToArray();
        return Select(chosen);
    }

    private static T[] SelectRows<T>(T[] source, IReadOnlyList<int> indices, int rowLength)
    {
        var selected = new T[(long)indices.Count * rowLength];
        for (var i = 0; i < indices.Count; i++) Array.Copy(source, (long)indices[i] * rowLength, selected, (long)i * rowLength, rowLength);
        return selected;
    }
}
