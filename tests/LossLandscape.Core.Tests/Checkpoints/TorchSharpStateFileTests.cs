using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Checkpoints;

public sealed class TorchSharpStateFileTests
{
    public TorchSharpStateFileTests() => LandscapeRuntime.Load();

    [Fact]
    public void ReadsAHandWrittenFile()
    {
        // count 1; name "w" (length 1); float32 (6); rank 2; 2 × 3; 24 data bytes.
        byte[] bytes = [1, 1, (byte)'w', 6, 2, 2, 3, .. new byte[24]];
        var entry = Assert.Single(TorchSharpStateFile.ReadContents(new MemoryStream(bytes)));
        Assert.Equal(new StateTensorInfo("w", "float32", [2, 3]), entry with { Shape = entry.Shape.ToArray() }, new StateTensorComparer());
        Assert.Equal(6, entry.ElementCount);
    }

    [Fact]
    public void ReadsWhatTorchSharpWritesEntryForEntry()
    {
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("DigitsCnn"));
        var path = Path.GetTempFileName();
        try
        {
            model.save(path);
            var contents = TorchSharpStateFile.ReadContents(path);
            var expected = model.state_dict().ToArray();
            Assert.Equal(expected.Select(e => e.Key), contents.Select(c => c.Name));
            Assert.Equal(expected.Select(e => string.Join("×", e.Value.shape)), contents.Select(c => string.Join("×", c.Shape)));
            Assert.Contains(contents, c => c.Name == "bn1.num_batches_tracked" && c.DType == "int64" && c.Shape.Count == 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new byte[] { }, "truncated")]
    [InlineData(new byte[] { 1, 1, (byte)'w', 6, 2, 2, 3, 0, 0 }, "truncated")]
    [InlineData(new byte[] { 1, 1, (byte)'w', 99, 0 }, "unknown element type")]
    [InlineData(new byte[] { 1, 1, (byte)'w', 6, 0, 0, 0, 0, 0, 7 }, "unexpected bytes")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x7f }, "Implausible entry count")]
    public void MalformedFilesAreRefusedWithTheReason(byte[] bytes, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => TorchSharpStateFile.ReadContents(new MemoryStream(bytes)));
        Assert.Contains(reason, error.Message);
    }

    private sealed class StateTensorComparer : IEqualityComparer<StateTensorInfo>
    {
        public bool Equals(StateTensorInfo? x, StateTensorInfo? y) =>
            x is not null && y is not null && x.Name == y.Name && x.DType == y.DType && x.Shape.SequenceEqual(y.Shape);

        public int GetHashCode(StateTensorInfo obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
