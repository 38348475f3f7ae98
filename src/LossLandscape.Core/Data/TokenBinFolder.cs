using System.Buffers.Binary;
using System.Globalization;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Data;

/// <summary>
/// Token streams as nanoGPT's prepare.py writes them: <c>train.bin</c> and <c>val.bin</c> (the Test
/// split), uint16 little-endian tokens. Window i holds tokens [i·stride, i·stride + T) and its targets
/// are the next tokens [i·stride + 1, i·stride + T + 1), all inside the loss mask, so a stream of L
/// tokens gives ⌊(L − T − 1) / stride⌋ + 1 windows. The vocabulary is the given size, or the largest
/// token of both files + 1 so that both splits agree.
/// </summary>
public static class TokenBinFolder
{
    public const string TrainFile = "train.bin";
    public const string TestFile = "val.bin";

    /// <exception cref="ArgumentException">No context length, or a negative stride or vocabulary size.</exception>
    /// <exception cref="IOException">The folder or the split's file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not a uint16 stream, is too large or too short, or holds a token outside the vocabulary.</exception>
    public static DatasetArrays Load(DatasetCache cache, string folder, DatasetSplit split, TokenOptions? options)
    {
        var (contextLength, stride, vocabularySize) = Windows(options);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The token folder '{folder}' does not exist. It should hold {TrainFile} and {TestFile}: uint16 little-endian token streams as nanoGPT writes them.");
        var (own, other) = split == DatasetSplit.Test ? (TestFile, TrainFile) : (TrainFile, TestFile);
        var path = Path.Combine(folder, own);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The {split} split of '{folder}' needs {own} (uint16 little-endian tokens, as nanoGPT writes them).", path);
        var otherPath = Path.Combine(folder, other);
        // The vocabulary may come from the other file too, so a change there is a change of this split.
        string[] files = vocabularySize == 0 && File.Exists(otherPath) ? [path, otherPath] : [path];
        return cache.GetOrRead(files, () => Read(files, contextLength, stride, vocabularySize), string.Create(CultureInfo.InvariantCulture, $"tokens {contextLength}/{stride}/{vocabularySize}"));
    }

    /// <summary>T, the stride (0 resolved to T) and the vocabulary size (0: inferred).</summary>
    private static (int ContextLength, int Stride, int VocabularySize) Windows(TokenOptions? options)
    {
        if (options is not { ContextLength: > 0 })
            throw new ArgumentException($"Token streams are cut into windows: give their ContextLength (at least 1; got {options?.ContextLength ?? 0}).", nameof(options));
        if (options.Stride < 0) throw new ArgumentException($"Stride must be at least 1 (got {options.Stride}).", nameof(options));
        if (options.VocabularySize < 0) throw new ArgumentException($"VocabularySize must be at least 1 (got {options.VocabularySize}).", nameof(options));
        return (options.ContextLength, options.Stride == 0 ? options.ContextLength : options.Stride, options.VocabularySize);
    }

    private static DatasetArrays Read(string[] files, int contextLength, int stride, int vocabularySize)
    {
        var path = files[0];
        var tokenCount = TokenCount(path);
        if (tokenCount <= contextLength)
            throw new InvalidDataException($"'{path}' holds {tokenCount} tokens; a window of {contextLength} and its next-token targets need at least {contextLength + 1}.");
        var windows = (int)((tokenCount - contextLength - 1) / stride + 1);
        DatasetLimits.RequireTokenPositions(path, (long)windows * contextLength, $"{windows} windows of {contextLength} tokens (stride {stride}); a larger stride takes fewer");

        var stream = ReadStream(path, tokenCount);
        var largest = files.Max(file => file == path ? Largest(stream) : Largest(ReadStream(file, TokenCount(file))));
        if (vocabularySize > 0 && largest >= vocabularySize)
            throw new InvalidDataException($"'{path}' holds token {largest}, outside the vocabulary of {vocabularySize} (0..{vocabularySize - 1}).");
        var tokens = new long[(long)windows * contextLength];
        var targets = new long[tokens.Length];
        for (var w = 0; w < windows; w++)
        {
            var start = (long)w * stride;
            for (var t = 0; t < contextLength; t++)
            {
                tokens[(long)w * contextLength + t] = stream[start + t];
                targets[(long)w * contextLength + t] = stream[start + t + 1];
            }
        }
        return DatasetArrays.FromTokens(tokens, targets, contextLength, vocabularySize > 0 ? vocabularySize : largest + 1);
    }

    private static int Largest(ushort[] stream) => stream.Length == 0 ? 0 : stream.Max();

    /// <summary>The tokens of a regular file of whole uint16 tokens within <see cref="DatasetLimits.MaxTokenFileBytes"/>, from its length alone.</summary>
    private static long TokenCount(string path)
    {
        RegularFile.Require(path, "token file");
        var length = new FileInfo(path).Length;
        DatasetLimits.RequireTokenFileBytes(path, length);
        if (length % 2 != 0)
            throw new InvalidDataException($"'{path}' has {length} bytes, an odd number: it is not a stream of uint16 tokens.");
        return length / 2;
    }

    private static ushort[] ReadStream(string path, long tokenCount)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != 2 * tokenCount)
            throw new InvalidDataException($"'{path}' changed while it was read ({2 * tokenCount} bytes, then {bytes.Length}).");
        var stream = new ushort[tokenCount];
        for (var i = 0; i < stream.Length; i++) stream[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i, 2));
        return stream;
    }
}
