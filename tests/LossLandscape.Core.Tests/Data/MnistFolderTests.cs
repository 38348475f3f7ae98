using System.Buffers.Binary;
using System.IO.Compression;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class MnistFolderTests : IDisposable
{
    private const int Side = 28;
    private const int TrainCount = 4;
    private const int TestCount = 3;

    private readonly string folder = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public MnistFolderTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FirstImageIsItsBytesOverTwoHundredFiftyFiveRowMajor(bool gzipped)
    {
        WriteSplit("train", TrainCount, seed: 1, gzipped);
        var train = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist));

        Assert.Equal((1, Side, Side, 10), (train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(TrainCount, train.Count);
        Assert.Equal(Labels(TrainCount, seed: 1).Select(label => (long)label), train.Labels);
        var pixels = Pixels(TrainCount, seed: 1);
        for (var row = 0; row < Side; row++)
        {
            for (var column = 0; column < Side; column++)
                Assert.Equal(pixels[row * Side + column] / 255f, train.Inputs[row * Side + column]);
        }
        Assert.Equal(pixels[^1] / 255f, train.Inputs[^1]);
    }

    [Fact]
    public void PixelAtRowZeroColumnOneIsTheSecondValue()
    {
        var pixels = new byte[Side * Side];
        pixels[1] = 255;
        pixels[Side] = 51;
        WriteFile("t10k-images-idx3-ubyte", Images(1, pixels), gzipped: false);
        WriteFile("t10k-labels-idx1-ubyte", LabelFile([7]), gzipped: false);

        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test));

        Assert.Equal(7, test.Labels.Single());
        Assert.Equal(0f, test.Inputs[0]);
        Assert.Equal(1f, test.Inputs[1]);
        Assert.Equal(0.2f, test.Inputs[Side]);
    }

    [Fact]
    public void TrainAndTestReadTheirOwnFiles()
    {
        WriteSplit("train", TrainCount, seed: 1, gzipped: false);
        WriteSplit("t10k", TestCount, seed: 2, gzipped: true);
        var test = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test));
        Assert.Equal(TestCount, test.Count);
        Assert.Equal(Labels(TestCount, seed: 2).Select(label => (long)label), test.Labels);
        Assert.Equal(Pixels(TestCount, seed: 2).Select(p => p / 255f), test.Inputs);
        Assert.Equal(TrainCount, DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist)).Count);
    }

    [Fact]
    public void MissingFolderOrFileSaysWhatIsExpectedWhere()
    {
        var absent = Path.Combine(folder, "absent");
        var noFolder = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(absent, DatasetFormat.Mnist)));
        Assert.Contains(absent, noFolder.Message);
        Assert.Contains("train-images-idx3-ubyte", noFolder.Message);

        WriteFile("t10k-images-idx3-ubyte", Images(TestCount, Pixels(TestCount, seed: 2)), gzipped: true);
        var noLabels = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test)));
        Assert.Contains("t10k-labels-idx1-ubyte is missing", noLabels.Message);
        Assert.Contains(".gz", noLabels.Message);
        Assert.Contains(folder, noLabels.Message);
    }

    [Fact]
    public void BadMagicIsInvalid()
    {
        WriteSplit("t10k", TestCount, seed: 2, gzipped: false);
        // An images file where the labels file belongs.
        File.Copy(Path.Combine(folder, "t10k-images-idx3-ubyte"), Path.Combine(folder, "t10k-labels-idx1-ubyte"), overwrite: true);
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test)));
        Assert.Contains("0x00000803", error.Message);
        Assert.Contains("0x00000801", error.Message);
    }

    [Fact]
    public void CountMismatchIsInvalid()
    {
        WriteFile("t10k-images-idx3-ubyte", Images(TestCount, Pixels(TestCount, seed: 2)), gzipped: false);
        WriteFile("t10k-labels-idx1-ubyte", LabelFile(Labels(TestCount - 1, seed: 2)), gzipped: false);
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test)));
        Assert.Contains($"{TestCount} images", error.Message);
        Assert.Contains($"{TestCount - 1} labels", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImagesAreInvalid(bool gzipped)
    {
        var images = Images(TestCount, Pixels(TestCount, seed: 2));
        WriteFile("t10k-images-idx3-ubyte", images[..^10], gzipped);
        WriteFile("t10k-labels-idx1-ubyte", LabelFile(Labels(TestCount, seed: 2)), gzipped);
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test)));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void TruncatedHeaderIsInvalid()
    {
        WriteFile("t10k-images-idx3-ubyte", Images(TestCount, Pixels(TestCount, seed: 2))[..10], gzipped: false);
        WriteFile("t10k-labels-idx1-ubyte", LabelFile(Labels(TestCount, seed: 2)), gzipped: false);
        Assert.Throws<InvalidDataException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, DatasetCatalog.FromFolder(folder, DatasetFormat.Mnist, DatasetSplit.Test)));
    }

    private void WriteSplit(string prefix, int count, int seed, bool gzipped)
    {
        WriteFile($"{prefix}-images-idx3-ubyte", Images(count, Pixels(count, seed)), gzipped);
        WriteFile($"{prefix}-labels-idx1-ubyte", LabelFile(Labels(count, seed)), gzipped);
    }

    private void WriteFile(string name, byte[] content, bool gzipped)
    {
        if (!gzipped)
        {
            File.WriteAllBytes(Path.Combine(folder, name), content);
            return;
        }
        using var gzip = new GZipStream(File.Create(Path.Combine(folder, name + ".gz")), CompressionLevel.Optimal);
        gzip.Write(content);
    }

    private static byte[] Pixels(int count, int seed) =>
        Enumerable.Range(0, count * Side * Side).Select(i => (byte)((i * 5 + seed * 17 + i / 29) % 256)).ToArray();

    private static byte[] Labels(int count, int seed) => Enumerable.Range(0, count).Select(i => (byte)((i * 3 + seed) % 10)).ToArray();

    private static byte[] Images(int count, byte[] pixels)
    {
        var file = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(file, 2051);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), Side);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), Side);
        pixels.CopyTo(file, 16);
        return file;
    }

    private static byte[] LabelFile(byte[] labels)
    {
        var file = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(file, 2049);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), labels.Length);
        labels.CopyTo(file, 8);
        return file;
    }
}
