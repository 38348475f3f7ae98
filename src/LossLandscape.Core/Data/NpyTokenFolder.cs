using System.Globalization;

namespace LossLandscape.Core.Data;

/// <summary>
/// Token sequences as numpy arrays: <c>train.npy</c> and <c>test.npy</c>, integers N×T (int32, int64
/// or uint16), one sequence a row. Position t's target is the row's token t + 1, so the last position
/// is outside the loss mask. Optional <c>train_targets.npy</c> / <c>test_targets.npy</c> of the same
/// shape give the targets instead, with −100 outside the mask. The vocabulary is the given size, or
/// the largest token or target of both splits + 1 so that both splits agree.
/// </summary>
public static class NpyTokenFolder
{
    public const string TrainStem = "train";
    public const string TestStem = "test";
    public const string TargetsSuffix = "_targets";

    /// <exception cref="ArgumentException">Window options (which the rows already fix), or a negative vocabulary size.</exception>
    /// <exception cref="IOException">The folder or the split's file is missing.</exception>
    /// <exception cref="InvalidDataException">An array that is not N×T integers, too large, or with tokens or targets outside the vocabulary.</exception>
    public static DatasetArrays Load(DatasetCache cache, string folder, DatasetSplit split, TokenOptions? options)
    {
        if (options is { ContextLength: not 0 } or { Stride: not 0 })
            throw new ArgumentException("The rows of .npy token arrays are the sequences already: ContextLength and Stride apply to .bin token streams only.", nameof(options));
        var vocabularySize = options?.VocabularySize ?? 0;
        if (vocabularySize < 0) throw new ArgumentException($"VocabularySize must be at least 1 (got {vocabularySize}).", nameof(options));
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The token folder '{folder}' does not exist. It should hold {TrainStem}.npy and {TestStem}.npy: integer token arrays N×T (and optionally {TrainStem}{TargetsSuffix}.npy, {TestStem}{TargetsSuffix}.npy).");
        var (own, other) = split == DatasetSplit.Test ? (TestStem, TrainStem) : (TrainStem, TestStem);
        var path = Path.Combine(folder, own + ".npy");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The {split} split of '{folder}' needs {own}.npy (integer tokens N×T).", path);
        var files = new List<string> { path };
        AddIfPresent(files, Path.Combine(folder, own + TargetsSuffix + ".npy"));
        if (vocabularySize == 0)
        {
            // The vocabulary comes from the other split too, so a change there is a change of this split.
            AddIfPresent(files, Path.Combine(folder, other + ".npy"));
            AddIfPresent(files, Path.Combine(folder, other + TargetsSuffix + ".npy"));
        }
        return cache.GetOrRead(files, () => Read(folder, own, other, vocabularySize), string.Create(CultureInfo.InvariantCulture, $"tokens {vocabularySize}"));
    }

    private static void AddIfPresent(List<string> files, string path)
    {
        if (File.Exists(path)) files.Add(path);
    }

    private static DatasetArrays Read(string folder, string own, string other, int vocabularySize)
    {
        var (sequenceLength, tokens, targets) = ReadSplit(folder, own);
        var largest = Math.Max(tokens.Max(), targets.Max());
        if (vocabularySize == 0 && File.Exists(Path.Combine(folder, other + ".npy")))
        {
            var (_, otherTokens, otherTargets) = ReadSplit(folder, other);
            largest = Math.Max(largest, Math.Max(otherTokens.Max(), otherTargets.Max()));
        }
        if (vocabularySize > 0 && largest >= vocabularySize)
            throw new InvalidDataException($"'{Path.Combine(folder, own)}.npy' (or its targets) holds token {largest}, outside the vocabulary of {vocabularySize} (0..{vocabularySize - 1}).");
        if (largest > int.MaxValue - 1)
            throw new InvalidDataException($"'{Path.Combine(folder, own)}.npy' holds token {largest}; a vocabulary that large cannot be scored.");
        return DatasetArrays.FromTokens(tokens, targets, sequenceLength, vocabularySize > 0 ? vocabularySize : (int)largest + 1);
    }

    private static (int SequenceLength, long[] Tokens, long[] Targets) ReadSplit(string folder, string stem)
    {
        var path = Path.Combine(folder, stem + ".npy");
        var (shape, tokens) = NpyFile.ReadIntegers(path);
        if (shape.Length != 2 || shape[0] < 1 || shape[1] < 1)
            throw new InvalidDataException($"'{path}' is [{string.Join("×", shape)}]; token arrays are N×T with at least one sequence of at least one token.");
        var sequenceLength = (int)shape[1];
        var negative = Array.FindIndex(tokens, token => token < 0);
        if (negative >= 0) throw new InvalidDataException($"'{path}' holds token {tokens[negative]} (row {negative / sequenceLength}); tokens are integers ≥ 0.");

        var targetsPath = Path.Combine(folder, stem + TargetsSuffix + ".npy");
        if (File.Exists(targetsPath)) return (sequenceLength, tokens, ReadTargets(targetsPath, shape));
        if (sequenceLength < 2)
            throw new InvalidDataException($"'{path}' has sequences of one token: with next-token targets inside the row, none would be in the loss mask. Give {stem}{TargetsSuffix}.npy or longer rows.");
        var targets = new long[tokens.Length];
        for (var row = 0L; row < tokens.Length; row += sequenceLength)
        {
            Array.Copy(tokens, row + 1, targets, row, sequenceLength - 1);
            targets[row + sequenceLength - 1] = DatasetArrays.IgnoredTarget;
        }
        return (sequenceLength, tokens, targets);
    }

    private static long[] ReadTargets(string path, long[] tokenShape)
    {
        var (shape, targets) = NpyFile.ReadIntegers(path);
        if (!shape.SequenceEqual(tokenShape))
            throw new InvalidDataException($"'{path}' is [{string.Join("×", shape)}] but its tokens are [{string.Join("×", tokenShape)}]; targets need one value per token.");
        var bad = Array.FindIndex(targets, target => target < 0 && target != DatasetArrays.IgnoredTarget);
        if (bad >= 0) throw new InvalidDataException($"'{path}' holds target {targets[bad]}; targets are tokens ≥ 0, or {DatasetArrays.IgnoredTarget} outside the loss mask.");
        return targets;
    }
}
