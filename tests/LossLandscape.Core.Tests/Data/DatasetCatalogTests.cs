using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class DatasetCatalogTests
{
    [Fact]
    public void BuiltInNamesAreDigitsSyntheticCifarAndSyntheticPatterns()
    {
        Assert.Equal(["Digits", "SyntheticCifar", "SyntheticPatterns"], DatasetCatalog.Names);
        Assert.True(DatasetCatalog.IsKnown("syntheticCIFAR"));
        Assert.False(DatasetCatalog.IsKnown("Cifar10"));
        Assert.Equal("SyntheticCifar", DatasetCatalog.CanonicalName("syntheticcifar"));
    }

    [Fact]
    public void FromFolderNamesTheFormatAndKeepsTheFullPath()
    {
        var reference = DatasetCatalog.FromFolder(Path.Combine("data", "..", "cifar"), DatasetFormat.Cifar10, DatasetSplit.Test);
        Assert.Equal("Cifar10", reference.Name);
        Assert.Equal(DatasetFormat.Cifar10, reference.Format);
        Assert.Equal(DatasetSplit.Test, reference.Split);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "cifar"), reference.Path);
        Assert.Contains(reference.Path!, reference.ToString());
        Assert.Throws<ArgumentException>(() => DatasetCatalog.FromFolder("x", DatasetFormat.BuiltIn));
    }

    [Fact]
    public void ReferencesThatDoNotFitTheirFormatAreRefused()
    {
        var builtInWithPath = new DatasetReference("Digits") { Path = "/somewhere" };
        Assert.Contains("built in", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, builtInWithPath)).Message);
        var folderWithoutPath = new DatasetReference("Mnist") { Format = DatasetFormat.Mnist };
        Assert.Contains("folder", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, folderWithoutPath)).Message);
    }

    [Fact]
    public void BuiltInReferencesSerializeAsBeforeAndOldJsonReadsAsBuiltIn()
    {
        var builtIn = new DatasetReference("Digits", DatasetSplit.Train, MaxSamples: 300, SubsetSeed: 4);
        var json = JsonSerializer.Serialize(builtIn, CheckpointStore.JsonOptions);
        Assert.DoesNotContain("format", json);
        Assert.DoesNotContain("path", json);

        const string written = """{ "name": "Digits", "split": "Test", "maxSamples": 300, "subsetSeed": 4 }""";
        var read = JsonSerializer.Deserialize<DatasetReference>(written, CheckpointStore.JsonOptions)!;
        Assert.Equal(new DatasetReference("Digits", DatasetSplit.Test, 300, 4), read);
        Assert.Equal(DatasetFormat.BuiltIn, read.Format);
        Assert.Null(read.Path);
    }

    [Fact]
    public void FolderReferencesRoundTripThroughJson()
    {
        var reference = DatasetCatalog.FromFolder(Path.GetTempPath(), DatasetFormat.Mnist) with { MaxSamples = 10 };
        var json = JsonSerializer.Serialize(reference, CheckpointStore.JsonOptions);
        Assert.Contains("\"format\": \"Mnist\"", json);
        Assert.Equal(reference, JsonSerializer.Deserialize<DatasetReference>(json, CheckpointStore.JsonOptions));
    }
}
