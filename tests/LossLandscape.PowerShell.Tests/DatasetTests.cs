using System.Buffers.Binary;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

public sealed class DatasetTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public void WithoutArgumentsEveryBuiltInSetIsDescribed()
    {
        var result = shell.Invoke("Get-LandscapeDataset").ShouldSucceed();
        Assert.Equal(["Digits", "SyntheticCifar", "SyntheticPatterns", "ModularArithmetic"], result.Output.Select(o => (string)o.Properties["Name"].Value));
        Assert.Equal("3×32×32", result.Output[1].Properties["Shape"].Value);
        Assert.Equal("3×16×16", result.Output[2].Properties["Shape"].Value);
        Assert.Equal("4 tokens", result.Output[3].Properties["Shape"].Value);
    }

    [Fact]
    public void ModularArithmeticDescribesItsEquationsVocabularyAndMask()
    {
        var result = shell.Invoke("Get-LandscapeDataset ModularArithmetic -Modulus 13 -Operation Divide -TrainFraction 0.3 -SplitSeed 1 -Split Test").ShouldSucceed();
        var dataset = Assert.Single(result.Output);
        // 13 · 12 = 156 equations, ⌊0.3 · 156⌋ = 46 in Train: 110 in Test, one masked position each; vocabulary 13 + 5.
        Assert.Equal(110, dataset.Properties["Count"].Value);
        Assert.Equal(4, dataset.Properties["SequenceLength"].Value);
        Assert.Equal(18, dataset.Properties["ClassCount"].Value);
        Assert.Equal(110L, dataset.Properties["MaskedPositions"].Value);
        Assert.Equal((13, "Divide", 0.3, 1L), ((int)dataset.Properties["Modulus"].Value, dataset.Properties["Operation"].Value.ToString(), (double)dataset.Properties["TrainFraction"].Value, (long)dataset.Properties["SplitSeed"].Value));
        Assert.Null(dataset.Properties["ContextLength"].Value);
        Assert.Contains("110 sequences of 4 tokens, vocabulary 18, 110 masked positions", dataset.ToString());
    }

    [Fact]
    public void ANameAloneAndTheCmdletGiveTheSameModularArithmeticAndItSurvivesASerializationRoundTrip()
    {
        var result = shell.Invoke("""
            function RoundTrip($o) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o)) }
            $transform = [LossLandscape.PowerShell.Types.DatasetTransformationAttribute]::new()
            $live = Get-LandscapeDataset ModularArithmetic -SplitSeed 4 -MaxSamples 30 -SubsetSeed 2
            $live.ToString()
            $transform.Transform($null, (RoundTrip $live))
            $transform.Transform($null, 'modulararithmetic')
            """).ShouldSucceed();

        Assert.Equal(3, result.Output.Count);
        var rehydrated = result.Output[1];
        Assert.Equal((97, 0.5, 4L, 30, 2L, 30), ((int)rehydrated.Properties["Modulus"].Value, (double)rehydrated.Properties["TrainFraction"].Value, (long)rehydrated.Properties["SplitSeed"].Value, (int)rehydrated.Properties["MaxSamples"].Value, (long)rehydrated.Properties["SubsetSeed"].Value, (int)rehydrated.Properties["Count"].Value));
        Assert.Equal(result.Output[0].ToString(), rehydrated.ToString());
        var byName = result.Output[2];
        Assert.Equal((97, "Add", 0.5, 0L, 97 * 97 / 2), ((int)byName.Properties["Modulus"].Value, byName.Properties["Operation"].Value.ToString(), (double)byName.Properties["TrainFraction"].Value, (long)byName.Properties["SplitSeed"].Value, (int)byName.Properties["Count"].Value));
    }

    [Fact]
    public void ANonPrimeModulusIsDatasetTokenOptionsInvalidAndNamesPrimesNearIt()
    {
        var result = shell.Invoke("Get-LandscapeDataset ModularArithmetic -Modulus 91; Get-LandscapeDataset Digits -TrainFraction 0.2");
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, error => Assert.StartsWith("DatasetTokenOptionsInvalid,", error.FullyQualifiedErrorId));
        Assert.All(result.Errors, error => Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category));
        Assert.Contains("Primes near it: 89, 97", result.Errors[0].Exception.Message);
        Assert.Contains("token options", result.Errors[1].Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void TokenBinFoldersAreCutIntoWindows()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("tokens"));
        File.WriteAllBytes(temp.Combine("tokens", "train.bin"), Enumerable.Range(0, 21).SelectMany(i => new[] { (byte)i, (byte)0 }).ToArray());
        File.WriteAllBytes(temp.Combine("tokens", "val.bin"), Enumerable.Range(0, 6).SelectMany(i => new[] { (byte)(2 * i), (byte)0 }).ToArray());

        var result = shell.Invoke("Get-LandscapeDataset -Path $dir -Format TokenBin -ContextLength 4 -Stride 2", new Dictionary<string, object?> { ["dir"] = temp.Combine("tokens") }).ShouldSucceed();

        var dataset = Assert.Single(result.Output);
        // 21 tokens, T = 4, stride 2: ⌊(21 − 5) / 2⌋ + 1 = 9 windows, every position in the mask; the vocabulary is 20 + 1.
        Assert.Equal((9, 4, 21, 36L), ((int)dataset.Properties["Count"].Value, (int)dataset.Properties["SequenceLength"].Value, (int)dataset.Properties["ClassCount"].Value, (long)dataset.Properties["MaskedPositions"].Value));
        Assert.Equal((4, 2), ((int)dataset.Properties["ContextLength"].Value, (int)dataset.Properties["Stride"].Value));
        Assert.Null(dataset.Properties["VocabularySize"].Value);
    }

    [Fact]
    public void AnOddLengthTokenFileIsDatasetFileInvalid()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("tokens"));
        File.WriteAllBytes(temp.Combine("tokens", "train.bin"), [1, 0, 2, 0, 3, 0, 4]);

        var result = shell.Invoke("Get-LandscapeDataset -Path $dir -Format TokenBin -ContextLength 2", new Dictionary<string, object?> { ["dir"] = temp.Combine("tokens") });

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DatasetFileInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("7 bytes, an odd number", error.Exception.Message);
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

    [Fact]
    public void AnImageModelRefusesTokenDataForSurfaces()
    {
        using var temp = new TempDirectory();
        var result = shell.Invoke("""
            $checkpoint = @(Invoke-LandscapeTraining -Model Mlp -Dataset (Get-LandscapeDataset Digits -MaxSamples 20) -Epochs 1 -BatchSize 10 -OutputDirectory $out)[-1]
            $checkpoint | Get-LossSurface -Dimensions 1 -Steps 3 -Dataset ModularArithmetic -OutFile $surface
            """, new Dictionary<string, object?> { ["out"] = temp.Combine("run"), ["surface"] = temp.Combine("surface.h5") });

        var error = Assert.Single(result.Errors);
        Assert.Contains("Mlp classifies images, but the data set holds token sequences of length 4", error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(temp.Combine("surface.h5")));
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
