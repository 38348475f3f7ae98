using LossLandscape.Core.Data;

namespace LossLandscape.Core.Tests.Data;

public sealed class DatasetCacheTests : IDisposable
{
    /// <summary>Decoded bytes of one <see cref="Arrays(int)"/> set of 10 samples: 10 × 4 floats + 10 labels.</summary>
    private const long TenSampleBytes = 10 * 4 * sizeof(float) + 10 * sizeof(long);

    private readonly string folder = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    /// <summary>How often each file's data set was read (decoded) rather than served from the cache.</summary>
    private readonly Dictionary<string, int> reads = [];

    public DatasetCacheTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AnEntryCostsItsInputAndLabelBytes() => Assert.Equal(10 * 4 * 4 + 10 * 8, DatasetCache.DecodedBytes(Arrays(10)));

    [Fact]
    public void TheLeastRecentlyUsedEntryIsDroppedFirst()
    {
        var cache = new DatasetCache(3 * TenSampleBytes);
        foreach (var name in new[] { "a", "b", "c", "a" }) Get(cache, name); // a is now the most recent; b the least.

        Get(cache, "d");

        Assert.Equal((3, 3 * TenSampleBytes), (cache.Count, cache.UsedBytes));
        foreach (var name in new[] { "a", "c", "d" }) Get(cache, name);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1, ["d"] = 1 }, reads);
        Get(cache, "b");
        Assert.Equal(2, reads["b"]);
    }

    [Fact]
    public void HeldBytesNeverExceedTheCapacity()
    {
        var cache = new DatasetCache(2 * TenSampleBytes + 1);

        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            Get(cache, name);
            Assert.True(cache.UsedBytes <= cache.CapacityBytes, $"{cache.UsedBytes} bytes held after {name}, capacity {cache.CapacityBytes}.");
        }

        Assert.Equal((2, 2 * TenSampleBytes), (cache.Count, cache.UsedBytes));
    }

    [Fact]
    public void AnEntryLargerThanTheCapacityIsReturnedButNotKept()
    {
        var cache = new DatasetCache(TenSampleBytes - 1);

        var first = Get(cache, "a");
        var second = Get(cache, "a");

        Assert.Equal(10, first.Count);
        Assert.NotSame(first, second);
        Assert.Equal(2, reads["a"]);
        Assert.Equal((0, 0L), (cache.Count, cache.UsedBytes));
    }

    [Fact]
    public void AKeptEntryIsReadOnce()
    {
        var cache = new DatasetCache(TenSampleBytes);

        var first = Get(cache, "a");
        var second = Get(cache, "a");

        Assert.Same(first, second);
        Assert.Equal(1, reads["a"]);
        Assert.Equal("Dataset cache: 0 MiB of 0 MiB used, 1 entry.", cache.Describe());
    }

    [Fact]
    public void AChangedFileIsReadAgain()
    {
        var cache = new DatasetCache(TenSampleBytes);
        Get(cache, "a");

        File.AppendAllText(Path.Combine(folder, "a"), "longer now");
        Get(cache, "a");

        Assert.Equal(2, reads["a"]);
        Assert.Equal((1, TenSampleBytes), (cache.Count, cache.UsedBytes));
    }

    [Fact]
    public void LoweringTheCapacityDropsTheOldestEntriesAtOnce()
    {
        var cache = new DatasetCache(3 * TenSampleBytes);
        foreach (var name in new[] { "a", "b", "c" }) Get(cache, name);

        cache.CapacityBytes = TenSampleBytes;

        Assert.Equal((1, TenSampleBytes), (cache.Count, cache.UsedBytes));
        Get(cache, "c");
        Assert.Equal(1, reads["c"]);
    }

    [Fact]
    public void ZeroCapacityKeepsNothing()
    {
        var cache = new DatasetCache(0);

        Get(cache, "a");
        Get(cache, "a");

        Assert.Equal(2, reads["a"]);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ANegativeCapacityIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetCache(1).CapacityBytes = -1);

    /// <summary>
    /// Reads the data set keyed on the file named <paramref name="stem"/> (created on first use: the
    /// cache stamps entries with their files' sizes and times), counting the reads in <see cref="reads"/>.
    /// </summary>
    private DatasetArrays Get(DatasetCache cache, string stem)
    {
        var path = Path.Combine(folder, stem);
        if (!File.Exists(path)) File.WriteAllText(path, stem);
        return cache.GetOrRead([path], () =>
        {
            reads[stem] = reads.GetValueOrDefault(stem) + 1;
            return Arrays(10);
        });
    }

    private static DatasetArrays Arrays(int count) => new(new float[count * 4], new long[count], 1, 2, 2, 10);
}
