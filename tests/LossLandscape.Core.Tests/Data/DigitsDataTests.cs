using System.Globalization;
using System.IO.Compression;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class DigitsDataTests
{
    [Fact]
    public void SplitIsStratifiedFourToOneAndCoversEveryImageOnce()
    {
        var train = DigitsData.Load(DatasetSplit.Train);
        var test = DigitsData.Load(DatasetSplit.Test);

        // Σ ⌊class size / 5⌋ = 355 test images; the other 1,442 train.
        Assert.Equal(1442, train.Count);
        Assert.Equal(355, test.Count);
        // Class sizes of the UCI digits test set (the file shipped): within each class every fifth image is test.
        int[] classSizes = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];
        for (var label = 0; label < 10; label++)
        {
            Assert.Equal(classSizes[label] / 5, test.Labels.Count(l => l == label));
            Assert.Equal(classSizes[label] - classSizes[label] / 5, train.Labels.Count(l => l == label));
        }
    }

    [Fact]
    public void PixelsAreTheFileValuesDividedBySixteen()
    {
        var lines = ReadShippedCsv();
        var train = DigitsData.Load(DatasetSplit.Train);
        // The first image of every class is a training image (positions 0..3 of each class train).
        var firstRow = lines[0].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(firstRow[64], train.Labels[0]);
        for (var p = 0; p < 64; p++) Assert.Equal(firstRow[p] / 16f, train.Inputs[p]);
        Assert.All(train.Inputs, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal((1, 8, 8, 10), (train.Channels, train.Height, train.Width, train.ClassCount));
    }

    [Fact]
    public void SubsetIsSeededAndKeepsFileOrder()
    {
        var train = DigitsData.Load(DatasetSplit.Train);
        var a = train.Subset(100, seed: 5);
        var b = train.Subset(100, seed: 5);
        var c = train.Subset(100, seed: 6);
        Assert.Equal(a.Inputs, b.Inputs);
        Assert.NotEqual(a.Labels, c.Labels);
        Assert.Equal(100, a.Count);
        Assert.Same(train, train.Subset(5000, seed: 1));
    }

    [Fact]
    public void CatalogRefusesUnknownNamesAndBadSubsets()
    {
        var unknown = Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, new DatasetReference("Cifar99")));
        Assert.Contains("Digits", unknown.Message);
        Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, new DatasetReference("Digits", MaxSamples: 0)));
        Assert.Equal("Digits", DatasetCatalog.CanonicalName("dIgItS"));
    }

    [Fact]
    public void AttributionShipsWithTheData()
    {
        Assert.Contains("CC BY 4.0", DigitsData.Attribution);
        Assert.Contains("Alpaydin", DigitsData.Attribution);
    }

    private static string[] ReadShippedCsv()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "LossLandscape.Core", "Data", "Digits", "digits.csv.gz");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
