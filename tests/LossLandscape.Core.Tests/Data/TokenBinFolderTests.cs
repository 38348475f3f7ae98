using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class TokenBinFolderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ll-tokenbin-");

    public void Dispose() => folder.Delete(recursive: true);

    private static DatasetCache Cache => LandscapeRuntime.Load().DatasetCache;

    private void WriteTokens(string name, params ushort[] tokens) =>
        File.WriteAllBytes(Path.Combine(folder.FullName, name), tokens.SelectMany(token => new[] { (byte)(token & 0xFF), (byte)(token >> 8) }).ToArray());

    private DatasetArrays Load(DatasetSplit split, int contextLength, int stride = 0, int vocabularySize = 0, int? maxSamples = null, long subsetSeed = 0) =>
        DatasetCatalog.LoadArrays(Cache, DatasetCatalog.FromFolder(folder.FullName, DatasetFormat.TokenBin, split) with
        {
            Tokens = new TokenOptions { ContextLength = contextLength, Stride = stride, VocabularySize = vocabularySize },
            MaxSamples = maxSamples,
            SubsetSeed = subsetSeed,
        });

    [Fact]
    public void WindowsAndNextTokenTargetsAreCutAsByHand()
    {
        // 10 tokens, T = 3, stride 2: windows start at 0, 2, 4, 6 (6 + 3 + 1 = 10 tokens used; 8 would need 12).
        WriteTokens("train.bin", 10, 11, 12, 13, 14, 15, 16, 17, 18, 300);
        WriteTokens("val.bin", 5, 6, 7, 8);
        var train = Load(DatasetSplit.Train, contextLength: 3, stride: 2);
        Assert.Equal(4, train.Count);
        Assert.Equal(3, train.SequenceLength);
        Assert.Equal([10L, 11, 12, 12, 13, 14, 14, 15, 16, 16, 17, 18], train.Tokens!);
        Assert.Equal([11L, 12, 13, 13, 14, 15, 15, 16, 17, 17, 18, 300], train.Labels);
        Assert.Equal(12, train.MaskedTargetCount);
        // The vocabulary spans both files: the largest token is 300.
        Assert.Equal(301, train.ClassCount);

        var test = Load(DatasetSplit.Test, contextLength: 3);
        Assert.Equal(1, test.Count);
        Assert.Equal([5L, 6, 7], test.Tokens!);
        Assert.Equal([6L, 7, 8], test.Labels);
        Assert.Equal(301, test.ClassCount);
    }

    [Fact]
    public void TheDefaultStrideIsTheContextLengthAndAGivenVocabularyIsKept()
    {
        // Little-endian: 0x0102 is written 02 01.
        WriteTokens("train.bin", 0x0102, 1, 2, 3, 4, 5, 6, 7);
        var train = Load(DatasetSplit.Train, contextLength: 3, vocabularySize: 50000);
        // 8 tokens, T = 3, stride 3: starts 0 and 3 (3 + 4 = 7 ≤ 8); 6 would need 10.
        Assert.Equal([0x0102L, 1, 2, 3, 4, 5], train.Tokens!);
        Assert.Equal([1L, 2, 3, 4, 5, 6], train.Labels);
        Assert.Equal(50000, train.ClassCount);
    }

    [Fact]
    public void MaxSamplesKeepsASeededSubsetOfWindows()
    {
        WriteTokens("train.bin", Enumerable.Range(0, 41).Select(i => (ushort)i).ToArray());
        var all = Load(DatasetSplit.Train, contextLength: 4);
        var subset = Load(DatasetSplit.Train, contextLength: 4, maxSamples: 3, subsetSeed: 9);
        Assert.Equal(10, all.Count);
        var chosen = DeterministicShuffle.Permutation(10, 9).Take(3).Order().ToArray();
        Assert.Equal(chosen.SelectMany(w => Enumerable.Range(4 * w, 4).Select(t => (long)t)), subset.Tokens);
        Assert.Equal(chosen.SelectMany(w => Enumerable.Range(4 * w + 1, 4).Select(t => (long)t)), subset.Labels);
    }

    [Fact]
    public void ANewContextLengthIsNotServedFromTheCacheOfAnother()
    {
        WriteTokens("train.bin", 1, 2, 3, 4, 5, 6, 7);
        Assert.Equal(3, Load(DatasetSplit.Train, contextLength: 2).Count);
        Assert.Equal(2, Load(DatasetSplit.Train, contextLength: 3).Count);
    }

    [Fact]
    public void AnOddLengthFileIsRefused()
    {
        File.WriteAllBytes(Path.Combine(folder.FullName, "train.bin"), [1, 0, 2, 0, 3, 0, 4]);
        Assert.Contains("odd number", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, contextLength: 2)).Message);
    }

    [Fact]
    public void ATokenOutsideTheGivenVocabularyIsRefused()
    {
        WriteTokens("train.bin", 1, 2, 3, 64, 5);
        var error = Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, contextLength: 2, vocabularySize: 64));
        Assert.Contains("token 64", error.Message);
        Assert.Contains("0..63", error.Message);
    }

    [Fact]
    public void AFileLargerThanTheBudgetIsRefusedBeforeItIsRead()
    {
        var path = Path.Combine(folder.FullName, "train.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew)) stream.SetLength(DatasetLimits.MaxTokenFileBytes + 2);
        Assert.Contains("more than the", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, contextLength: 8)).Message);
    }

    [Fact]
    public void WindowsBeyondThePositionBudgetAreRefused()
    {
        // 2^25 + 1 tokens with T = 4, stride 1: about 2^27 positions, twice the budget; the same file with stride 4 fits.
        var path = Path.Combine(folder.FullName, "train.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew)) stream.SetLength(2 * ((1L << 25) + 1));
        Assert.Contains("larger stride", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, contextLength: 4, stride: 1)).Message);
    }

    [Fact]
    public void AStreamShorterThanOneWindowAndItsTargetIsRefused()
    {
        WriteTokens("train.bin", 1, 2, 3);
        Assert.Contains("at least 4", Assert.Throws<InvalidDataException>(() => Load(DatasetSplit.Train, contextLength: 3)).Message);
    }

    [Fact]
    public void WindowsNeedAContextLengthAndMissingFilesAreNamed()
    {
        Assert.Contains("ContextLength", Assert.Throws<ArgumentException>(() => Load(DatasetSplit.Train, contextLength: 0)).Message);
        Assert.Contains("val.bin", Assert.Throws<FileNotFoundException>(() => Load(DatasetSplit.Test, contextLength: 2)).Message);
    }
}
