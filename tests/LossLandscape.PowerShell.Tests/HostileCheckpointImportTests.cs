using System.Diagnostics;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// The errors and switches Import-Checkpoint gained against hostile files, in process, on fixtures
/// of tests/LossLandscape.Shell.Tests/Fixtures/Hostile (the child-shell tests there read all of them):
/// each bad file is its error with the file as target, and the valid file after it still imports.
/// </summary>
public sealed class HostileCheckpointImportTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Fixture(string name) =>
        Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Shell.Tests", "Fixtures", "Hostile", name);

    private ModuleRunspace.Result ImportEach(string parameters, params string[] files) =>
        shell.Invoke($"$files | ForEach-Object {{ Import-Checkpoint -LiteralPath $_ {parameters} }}", new Dictionary<string, object?> { ["files"] = files });

    private static void AssertOneErrorThenTheValidFile(ModuleRunspace.Result result, string errorId, ErrorCategory category, string target, string valid)
    {
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject);
        Assert.Equal(valid, Assert.Single(result.Output).Properties["Path"].Value);
    }

    [Fact]
    public void AZipBombDeclaringMoreThanTheArchitectureIsTooLargeAndTheNextFileStillImports()
    {
        var result = ImportEach("-Architecture DigitsCnn", Fixture("budget-zip-bomb.pt"), Fixture("valid-digits.pt"));

        AssertOneErrorThenTheValidFile(result, "CheckpointTooLarge", ErrorCategory.LimitsExceeded, Fixture("budget-zip-bomb.pt"), Fixture("valid-digits.pt"));
        Assert.Contains("archive/data/0", result.Errors[0].Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStateFileWithAFlippedByteIsAHashMismatchUnlessTheCheckIsSkipped()
    {
        foreach (var name in new[] { "dat-flipped-byte.dat", "dat-flipped-byte.json", "valid-digits-dat.dat", "valid-digits-dat.json" })
            File.Copy(Fixture(name), temp.Combine(name));
        var (flipped, valid) = (temp.Combine("dat-flipped-byte.dat"), temp.Combine("valid-digits-dat.dat"));

        var checkedRead = ImportEach("", flipped, valid);
        var skipped = ImportEach("-SkipHashCheck", flipped);

        AssertOneErrorThenTheValidFile(checkedRead, "CheckpointHashMismatch", ErrorCategory.InvalidData, flipped, valid);
        Assert.Contains("-SkipHashCheck", checkedRead.Errors[0].Exception.Message, StringComparison.Ordinal);
        Assert.Equal(flipped, Assert.Single(skipped.ShouldSucceed().Output).Properties["Path"].Value);
    }

    [Fact]
    public void AFifoIsNotARegularFileAndIsNeverOpened()
    {
        var fifo = temp.Combine("blocks.pt");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var result = ImportEach("-Architecture DigitsCnn", fifo, Fixture("valid-digits.pt"));

        AssertOneErrorThenTheValidFile(result, "CheckpointNotRegularFile", ErrorCategory.InvalidArgument, fifo, Fixture("valid-digits.pt"));
        Assert.Contains("FIFO", result.Errors[0].Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiteralPathReadsNamesWithBracketsWhichPathTakesAsAWildcard()
    {
        var bracketed = temp.Combine("model[1].pt");
        File.Copy(Fixture("valid-digits.pt"), bracketed);
        var variables = new Dictionary<string, object?> { ["file"] = bracketed };

        var literal = shell.Invoke("Import-Checkpoint -LiteralPath $file -Architecture DigitsCnn", variables).ShouldSucceed();
        var piped = shell.Invoke("[System.IO.FileInfo]::new($file) | Import-Checkpoint -Architecture DigitsCnn", variables).ShouldSucceed();
        var wildcard = shell.Invoke("Import-Checkpoint -Path $file -Architecture DigitsCnn", variables);

        Assert.Equal(bracketed, Assert.Single(literal.Output).Properties["Path"].Value);
        Assert.Equal(bracketed, Assert.Single(piped.Output).Properties["Path"].Value);
        Assert.StartsWith("CheckpointNotFound,", Assert.Single(wildcard.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void Float16WeightsAreConvertedAndReportedUnderVerboseWhileIntegerWeightsAreRefused()
    {
        var result = ImportEach("-Architecture DigitsCnn -Verbose", Fixture("dtypes-conv1-I32.safetensors"), Fixture("valid-digits-f16.safetensors"));

        AssertOneErrorThenTheValidFile(result, "CheckpointArchitectureMismatch", ErrorCategory.InvalidData, Fixture("dtypes-conv1-I32.safetensors"), Fixture("valid-digits-f16.safetensors"));
        Assert.Contains("'conv1.weight' is int32 in the file but float32 in the model", result.Errors[0].Exception.Message, StringComparison.Ordinal);
        Assert.Contains(result.Verbose, line => line.Contains("'conv1.weight' is float16 in the file and becomes float32", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Verbose, line => line.Contains("num_batches_tracked", StringComparison.Ordinal));
    }

    [Fact]
    public void AZipHoldingARecordTwiceIsCorruptAndTheNextFileStillImports()
    {
        var result = ImportEach("-Architecture DigitsCnn", Fixture("duplicate-storage.pt"), Fixture("valid-digits.pt"));

        AssertOneErrorThenTheValidFile(result, "CheckpointCorrupt", ErrorCategory.InvalidData, Fixture("duplicate-storage.pt"), Fixture("valid-digits.pt"));
        Assert.Contains("holds the record 'archive/data/0' 2 times", result.Errors[0].Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyOf100000NestedTuplesOrA2Pow80MemoTowerIsCorruptWithoutOverflowingTheStack()
    {
        var result = ImportEach("-Architecture DigitsCnn", Fixture("nesting-tuple-key-100k.pt"), Fixture("nesting-memo-hash-bomb.pt"), Fixture("valid-digits.pt"));

        Assert.Null(result.Terminating);
        Assert.Equal(["CheckpointCorrupt", "CheckpointCorrupt"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(result.Errors, e => Assert.Contains("more than 256 values", e.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(Fixture("valid-digits.pt"), Assert.Single(result.Output).Properties["Path"].Value);
    }
}
