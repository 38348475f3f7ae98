using System.Buffers.Binary;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

public sealed class DatasetTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public void WithoutArgumentsEveryBuiltInSetIsDescribed()
    {
        var result = shell.Invoke("Get-LandscapeDataset").ShouldSucceed();
        Assert.Equal(["Digits", "SyntheticCifar", "SyntheticPatterns"], result.Output.Select(o => (string)o.Properties["Name"].Value));
        Assert.Equal("3×32×32", result.Output[1].Properties["Shape"].Value);
        Assert.Equal("3×16×16", result.Output[2].Properties["Shape"].Value);
    }

    [Fact]
    public void FolderSetDescribesTheFolderWithRelativePathsFromTheCurrentLocation()
    {
        using var temp = new TempDirectory();
        WriteMnist(temp.Combine("mnist"), trainCount: 20, testCount: 10);

        var result = shell.Invoke("$here = $PWD.Path; $null = $ExecutionContext.SessionState.Path.SetLocation($dir); try { Get-LandscapeDataset -Path ./mnist -Format Mnist -Split Test } finally { $null = $ExecutionContext.SessionState.Path.SetLocation($here) }",
            new Dictionary<string, object?> { ["dir"] = temp.Path }).ShouldSucceed();

        var dataset = Assert.Single(result.Output);
        Assert.Equal("Mnist", dataset.Properties["Name"].Value);
        Assert.Equal("Mnist", dataset.Properties["Format"].Value.ToString());
        Assert.Equal(temp.Combine("mnist"), dataset.Properties["Path"].Value);
        Assert.Equal(10, dataset.Properties["Count"].Value);
        Assert.Equal("1×28×28", dataset.Properties["Shape"].Value);
    }

    [Fact]
    public void PipedDataSetsBindByPropertyNameAndKeepTheirFolder()
    {
        using var temp = new TempDirectory();
        WriteMnist(temp.Combine("mnist"), trainCount: 20, testCount: 10);

        var result = shell.Invoke("@(Get-LandscapeDataset -Path $data -Format Mnist; Get-LandscapeDataset Digits) | Get-LandscapeDataset -Split Test",
            new Dictionary<string, object?> { ["data"] = temp.Combine("mnist") }).ShouldSucceed();

        Assert.Equal(2, result.Output.Count);
        Assert.Equal(temp.Combine("mnist"), result.Output[0].Properties["Path"].Value);
        Assert.Equal(10, result.Output[0].Properties["Count"].Value);
        Assert.Equal(("Digits", "Test", 355), ((string)result.Output[1].Properties["Name"].Value, result.Output[1].Properties["Split"].Value.ToString(), (int)result.Output[1].Properties["Count"].Value));
    }

    [Fact]
    public void SubsetBelowOneIsAnError()
    {
        var result = shell.Invoke("Get-LandscapeDataset Digits -MaxSamples 0");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DatasetSubsetInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(0, error.TargetObject);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void MissingFolderIsAnErrorNamingTheExpectedFiles()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("Get-LandscapeDataset -Path $dir -Format Cifar10", new Dictionary<string, object?> { ["dir"] = temp.Combine("absent") });
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DatasetFilesMissing,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("data_batch_1.bin", error.Exception.Message);
    }

    [Fact]
    public void FolderFormatMustBeAFileFormat()
    {
        var result = shell.Invoke("Get-LandscapeDataset -Path . -Format BuiltIn");
        Assert.True(result.Terminating is not null || result.Errors.Count > 0);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void TrainingTakesAFolderDataSetAndRecordsItInTheCheckpoint()
    {
        using var temp = new TempDirectory();
        WriteMnist(temp.Combine("mnist"), trainCount: 20, testCount: 10);

        var result = shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Dataset (Get-LandscapeDataset -Path $data -Format Mnist) -Epochs 1 -BatchSize 10 -OutputDirectory $out",
            new Dictionary<string, object?> { ["data"] = temp.Combine("mnist"), ["out"] = temp.Combine("run") }).ShouldSucceed();

        Assert.Equal(2, result.Output.Count);
        var metadata = File.ReadAllText(temp.Combine("run", "epoch-001.json"));
        Assert.Contains("\"format\": \"Mnist\"", metadata);
        Assert.Contains(System.Text.Json.JsonSerializer.Serialize(temp.Combine("mnist")), metadata);
    }

    internal static void WriteMnist(string folder, int trainCount, int testCount)
    {
        Directory.CreateDirectory(folder);
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var images = new byte[16 + count * 28 * 28];
            BinaryPrimitives.WriteInt32BigEndian(images, 2051);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
            for (var i = 16; i < images.Length; i++) images[i] = (byte)(i * 7 % 256);
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), images);

            var labels = new byte[8 + count];
            BinaryPrimitives.WriteInt32BigEndian(labels, 2049);
            BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
            for (var i = 0; i < count; i++) labels[8 + i] = (byte)(i % 10);
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), labels);
        }
    }
}
