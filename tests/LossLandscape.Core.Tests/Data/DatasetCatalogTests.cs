using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class DatasetCatalogTests
{
    [Fact]
    public void BuiltInNamesAreDigitsSyntheticCifarSyntheticPatternsAndModularArithmetic()
    {
        Assert.Equal(["Digits", "SyntheticCifar", "SyntheticPatterns", "ModularArithmetic"], DatasetCatalog.Names);
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
        Assert.DoesNotContain("tokens", json);

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

    [Fact]
    public void TokenReferencesWriteOnlyTheOptionsThatApplyAndRoundTrip()
    {
        var modular = new DatasetReference("ModularArithmetic") { Tokens = TokenOptions.ModularArithmeticDefaults with { Operation = ModularOperation.Divide, SplitSeed = 3 } };
        var json = JsonSerializer.Serialize(modular, CheckpointStore.JsonOptions);
        Assert.Contains("\"modulus\": 97", json);
        Assert.Contains("\"operation\": \"Divide\"", json);
        Assert.DoesNotContain("contextLength", json);
        Assert.Equal(modular, JsonSerializer.Deserialize<DatasetReference>(json, CheckpointStore.JsonOptions));
        Assert.Equal("ModularArithmetic/Train [p 97, Divide, train fraction 0.5, split seed 3]", modular.ToString());

        var windows = DatasetCatalog.FromFolder(Path.GetTempPath(), DatasetFormat.TokenBin) with { Tokens = new TokenOptions { ContextLength = 64 } };
        var windowsJson = JsonSerializer.Serialize(windows, CheckpointStore.JsonOptions);
        Assert.Contains("\"contextLength\": 64", windowsJson);
        Assert.DoesNotContain("modulus", windowsJson);
        Assert.DoesNotContain("stride", windowsJson);
        Assert.Equal(windows, JsonSerializer.Deserialize<DatasetReference>(windowsJson, CheckpointStore.JsonOptions));
        Assert.EndsWith("[windows of 64]", windows.ToString());
    }
}
