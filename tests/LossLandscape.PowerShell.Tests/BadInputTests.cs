using System.Buffers.Binary;
using System.Management.Automation;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;

namespace LossLandscape.PowerShell.Tests;

/// <summary>A DigitsCnn and an Mlp checkpoint, trained once for every bad-input test.</summary>
public sealed class BadInputFixture : IDisposable
{
    public BadInputFixture()
    {
        Shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $cnn; Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 64 -Seed 3 -OutputDirectory $mlp",
            new Dictionary<string, object?> { ["cnn"] = Run.Combine("cnn"), ["mlp"] = Run.Combine("mlp") }).ShouldSucceed();
    }

    public ModuleRunspace Shell { get; } = new();

    public TempDirectory Run { get; } = new();

    public string Cnn => Run.Combine("cnn", "epoch-001.dat");

    public string Mlp => Run.Combine("mlp", "epoch-001.dat");

    public void Dispose()
    {
        Run.Dispose();
        Shell.Dispose();
    }
}

/// <summary>
/// One test per row of docs/errors.md that no other test class covers: each asserts the error id,
/// its category, its target, whether it ends the pipeline, and that nothing else is lost.
/// </summary>
public sealed class BadInputTests(BadInputFixture fixture) : IClassFixture<BadInputFixture>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private Dictionary<string, object?> Variables(params (string Name, object? Value)[] extra)
    {
        var variables = new Dictionary<string, object?> { ["ckpt"] = fixture.Cnn, ["mlp"] = fixture.Mlp, ["tmp"] = temp.Path };
        foreach (var (name, value) in extra) variables[name] = value;
        return variables;
    }

    // --- checkpoints ---

    [Fact]
    public void AWildcardMatchingNoCheckpointIsNotFoundAndTheNextPathStillImports()
    {
        var pattern = temp.Combine("nothing-*.dat");
        var result = fixture.Shell.Invoke("$pattern, $ckpt | Import-Checkpoint", Variables(("pattern", pattern)));

        AssertSingleNonTerminating(result, "CheckpointNotFound", ErrorCategory.ObjectNotFound, pattern);
        Assert.Equal(fixture.Cnn, Assert.Single(result.Output).Properties["Path"].Value);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void AnUnreadableCheckpointIsUnreadableAndTheNextStillImports()
    {
        // Root reads any file whatever its mode: there the state file is a link to /proc/self/mem,
        // which the kernel refuses to read at offset 0 (EIO); otherwise a file without read permission.
        var state = temp.Combine("unreadable.dat");
        var json = File.ReadAllText(Path.ChangeExtension(fixture.Cnn, ".json")).Replace("\"epoch-001.dat\"", "\"unreadable.dat\"", StringComparison.Ordinal);
        File.WriteAllText(temp.Combine("unreadable.json"), json);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            File.CreateSymbolicLink(state, "/proc/self/mem");
        }
        else
        {
            File.Copy(fixture.Cnn, state);
            File.SetUnixFileMode(state, UnixFileMode.None);
        }

        var result = fixture.Shell.Invoke("$bad, $ckpt | Import-Checkpoint", Variables(("bad", state)));

        AssertSingleNonTerminating(result, "CheckpointUnreadable", asRoot ? ErrorCategory.ReadError : ErrorCategory.PermissionDenied, state);
        Assert.Single(result.Output);
    }

    [Fact]
    public void ATruncatedTorchScriptFileIsCorrupt()
    {
        var fixtureFile = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "TorchScript", "gated_cnn.pt");
        var truncated = temp.Combine("gated_cnn.pt");
        var bytes = File.ReadAllBytes(fixtureFile);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        var result = fixture.Shell.Invoke("$bad, $ckpt | Import-Checkpoint", Variables(("bad", truncated)));

        var error = AssertSingleNonTerminating(result, "CheckpointCorrupt", ErrorCategory.InvalidData, truncated);
        Assert.Contains("truncated", error.Exception.Message);
        Assert.Single(result.Output);
        Assert.Equal(bytes.Length / 2, new FileInfo(truncated).Length);
    }

    [Fact]
    public void AStateDictionaryWithAnUnknownArchitectureIsArchitectureUnknown()
    {
        var plain = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "Formats", "digits_plain.pt");
        var result = fixture.Shell.Invoke("Import-Checkpoint $bad -Architecture ResNet21; Import-Checkpoint $bad -Architecture DigitsCnn", Variables(("bad", plain)));

        var error = AssertSingleNonTerminating(result, "CheckpointArchitectureUnknown", ErrorCategory.InvalidData, plain);
        Assert.Contains("ResNet21", error.Exception.Message);
        Assert.Single(result.Output);
    }

    [Fact]
    public void NaNAndInfiniteWeightsAreRefusedPerCheckpointAndTheFiniteOneIsComputed()
    {
        var nan = BrokenCheckpoint.WithValue(fixture.Cnn, temp.Combine("nan"), float.NaN);
        var infinity = BrokenCheckpoint.WithValue(fixture.Cnn, temp.Combine("inf"), float.PositiveInfinity);

        var result = fixture.Shell.Invoke("Import-Checkpoint $nan, $inf, $ckpt -WarningAction SilentlyContinue | Get-LossSurface -Dimensions 1 -Steps 3", Variables(("nan", nan), ("inf", infinity)));

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        AssertRecord(result.Errors[0], "CheckpointNonFinite", ErrorCategory.InvalidData, CheckpointAt(nan));
        AssertRecord(result.Errors[1], "CheckpointNonFinite", ErrorCategory.InvalidData, CheckpointAt(infinity));
        Assert.Equal(3, Assert.Single(result.Output).Properties["ComputedCount"].Value);
    }

    // --- grid ---

    [Theory]
    [InlineData("-Steps 1", "Steps")]
    [InlineData("-XSteps 10002 -Dimensions 1", "XSteps")]
    public void GridsWithFewerThanTwoOrMoreThan10001StepsAreRefusedBeforeAnythingRuns(string steps, string parameter)
    {
        var error = CaughtTerminatingError($"Import-Checkpoint $ckpt | Get-LossSurface {steps} -OutFile $out", Variables(("out", temp.Combine("never.h5"))));

        AssertRecord(error, "ParameterArgumentValidationError", ErrorCategory.InvalidData, null);
        Assert.Contains($"parameter '{parameter}'", error.Exception.Message);
        Assert.False(File.Exists(temp.Combine("never.h5")));
    }

    [Theory]
    [InlineData(1.0, -1.0, "is reversed")]
    [InlineData(0.5, 0.5, "has zero width")]
    public void AReversedOrZeroWidthRangeIsRefusedForThatInputOnly(double start, double end, string shape)
    {
        var result = fixture.Shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            [pscustomobject]@{ Checkpoint = $c; XRange = [double[]]($start, $end) }, [pscustomobject]@{ Checkpoint = $c; XRange = [double[]](-1, 1) } |
                Get-LossSurface -Dimensions 1 -XSteps 3
            """, Variables(("start", start), ("end", end)));

        var error = AssertSingleNonTerminating(result, "SurfaceRangeInvalid", ErrorCategory.InvalidArgument, new[] { start, end });
        Assert.Contains(shape, error.Exception.Message);
        Assert.Equal(new[] { -1.0, 0, 1 }, (double[])Assert.Single(result.Output).Properties["X"].Value);
    }

    // --- directions ---

    [Fact]
    public void ADirectionOfAnotherModelIsRefusedAndTheOwnDirectionStillComputes()
    {
        var result = fixture.Shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $foreign = Import-Checkpoint $mlp | New-LandscapeDirection -Dimensions 1
            $own = $c | New-LandscapeDirection -Dimensions 1
            [pscustomobject]@{ Checkpoint = $c; Direction = $foreign }, [pscustomobject]@{ Checkpoint = $c; Direction = $own } | Get-LossSurface -Dimensions 1 -Steps 3
            """, Variables());

        var error = AssertSingleNonTerminating(result, "DirectionCheckpointMismatch", ErrorCategory.InvalidArgument, null);
        Assert.Equal(fixture.Mlp, PSObject.AsPSObject(error.TargetObject).Properties["CheckpointPath"].Value);
        Assert.Contains("made for the checkpoint", error.Exception.Message);
        Assert.Single(result.Output);
    }

    [Fact]
    public void TwoIdenticalDirectionsAreRefused()
    {
        var result = fixture.Shell.Invoke("""
            $c = Import-Checkpoint $ckpt
            $d = $c | New-LandscapeDirection
            [pscustomobject]@{ Checkpoint = $c; Direction = @($d[0], $d[0]) }, [pscustomobject]@{ Checkpoint = $c; Direction = $d } | Get-LossSurface -Steps 3
            """, Variables());

        var error = AssertSingleNonTerminating(result, "DirectionsIdentical", ErrorCategory.InvalidArgument, null);
        Assert.Equal("x", PSObject.AsPSObject(error.TargetObject).Properties["Axis"].Value);
        Assert.Contains("same vector", error.Exception.Message);
        Assert.Equal(9, Assert.Single(result.Output).Properties["ComputedCount"].Value);
    }

    [Fact]
    public void ADirectionFileOfAnotherModelIsInvalidAndLeftAlone()
    {
        var file = temp.Combine("mlp-directions.h5");
        fixture.Shell.Invoke("Import-Checkpoint $mlp | New-LandscapeDirection -OutFile $file | Out-Null", Variables(("file", file))).ShouldSucceed();
        var before = File.ReadAllBytes(file);

        var result = fixture.Shell.Invoke("Import-LandscapeDirection -Path $file -Checkpoint (Import-Checkpoint $ckpt)", Variables(("file", file)));

        AssertSingleNonTerminating(result, "DirectionFileInvalid", ErrorCategory.InvalidData, file);
        Assert.Empty(result.Output);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void AMissingDirectionFileIsNotFound()
    {
        var file = temp.Combine("absent.h5");
        var result = fixture.Shell.Invoke("Import-LandscapeDirection -Path $file -Checkpoint (Import-Checkpoint $ckpt)", Variables(("file", file)));

        AssertSingleNonTerminating(result, "DirectionFileInvalid", ErrorCategory.ObjectNotFound, file);
    }

    [Fact]
    public void ATruncatedDirectionFileIsInvalid()
    {
        var file = temp.Combine("directions.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -OutFile $file | Out-Null", Variables(("file", file))).ShouldSucceed();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var result = fixture.Shell.Invoke("Import-LandscapeDirection -Path $file -Checkpoint (Import-Checkpoint $ckpt)", Variables(("file", file)));

        AssertSingleNonTerminating(result, "DirectionFileInvalid", ErrorCategory.InvalidData, file);
        Assert.Empty(result.Output);
    }

    // --- output files ---

    [Fact]
    public void AnOutputFileInAMissingFolderIsRefusedBeforeAnythingIsWritten()
    {
        var file = temp.Combine("missing", "directions.h5");
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -OutFile $file", Variables(("file", file)));

        var error = AssertSingleNonTerminating(result, "OutputFolderMissing", ErrorCategory.ObjectNotFound, file);
        Assert.Contains("does not exist", error.Exception.Message);
        Assert.Empty(result.Output);
        Assert.False(Directory.Exists(temp.Combine("missing")));
    }

    [Fact]
    public void ASurfaceFileUnderAFileIsRefusedAndTheFileIsUntouched()
    {
        var notAFolder = temp.Combine("notes.txt");
        File.WriteAllText(notAFolder, "a file, not a folder");
        var file = Path.Combine(notAFolder, "surface.h5");

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 3 -OutFile $file", Variables(("file", file)));

        var error = AssertSingleNonTerminating(result, "OutputFolderMissing", ErrorCategory.ObjectNotFound, file);
        Assert.Contains("is a file, not a folder", error.Exception.Message);
        Assert.Equal("a file, not a folder", File.ReadAllText(notAFolder));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void AnOutputFileInAReadOnlyFolderIsPermissionDenied()
    {
        // Root writes through any mode bits: there the folder is /sys, which refuses new files even to root.
        var asRoot = Environment.UserName == "root";
        var folder = asRoot ? "/sys" : temp.Combine("read-only");
        if (!asRoot)
        {
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        var directions = Path.Combine(folder, "losslandscape-directions.h5");
        var surface = Path.Combine(folder, "losslandscape-surface.h5");

        var result = fixture.Shell.Invoke("$c = Import-Checkpoint $ckpt; $c | New-LandscapeDirection -OutFile $directions; $c | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $surface",
            Variables(("directions", directions), ("surface", surface)));

        Assert.Null(result.Terminating);
        Assert.Equal(2, result.Errors.Count);
        AssertRecord(result.Errors[0], "OutputWriteFailed", ErrorCategory.PermissionDenied, directions);
        AssertRecord(result.Errors[1], "OutputWriteFailed", ErrorCategory.PermissionDenied, surface);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(directions));
        Assert.False(File.Exists(surface));
    }

    [Fact]
    public void AnExistingDirectionFileIsKeptWithoutForce()
    {
        var file = temp.Combine("directions.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Seed 1 -OutFile $file | Out-Null", Variables(("file", file))).ShouldSucceed();
        var before = File.ReadAllBytes(file);

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Seed 2 -OutFile $file", Variables(("file", file)));

        AssertSingleNonTerminating(result, "OutputFileExists", ErrorCategory.ResourceExists, file);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void RerunningTheSameDirectionCommandKeepsItsFileUntouched()
    {
        var file = temp.Combine("same-directions.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Seed 1 -OutFile $file | Out-Null", Variables(("file", file))).ShouldSucceed();
        var before = (File.GetLastWriteTimeUtc(file), File.ReadAllBytes(file));
        Thread.Sleep(20);

        var again = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Seed 1 -OutFile $file -Verbose", Variables(("file", file)));

        again.ShouldSucceed();
        Assert.Equal(2, again.Output.Count);
        Assert.Contains(again.Verbose, v => v.Contains("already holds these directions", StringComparison.Ordinal));
        Assert.Equal(before.Item1, File.GetLastWriteTimeUtc(file));
        Assert.Equal(before.Item2, File.ReadAllBytes(file));
    }

    [Fact]
    public void AnExportedCheckpointInAFormatWeDoNotWriteIsRefused()
    {
        var file = temp.Combine("model.pt");
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Export-Checkpoint -Path $file -Format TorchScript", Variables(("file", file)));

        var error = AssertSingleNonTerminating(result, "CheckpointExportFailed", ErrorCategory.InvalidArgument, null);
        Assert.Equal("TorchScript", error.TargetObject.ToString());
        Assert.False(File.Exists(file));
    }

    // --- surface files ---

    [Fact]
    public void AnHdf5FileThatIsNotASurfaceIsInvalidAndTheNextFileStillImports()
    {
        var (directions, surface) = (temp.Combine("directions.h5"), temp.Combine("surface.h5"));
        fixture.Shell.Invoke("$c = Import-Checkpoint $ckpt; $c | New-LandscapeDirection -OutFile $directions | Out-Null; $c | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $surface | Out-Null",
            Variables(("directions", directions), ("surface", surface))).ShouldSucceed();

        var result = fixture.Shell.Invoke("Import-LossSurface $directions, $surface", Variables(("directions", directions), ("surface", surface)));

        var error = AssertSingleNonTerminating(result, "SurfaceFileInvalid", ErrorCategory.InvalidData, directions);
        Assert.Contains("not a surface file", error.Exception.Message);
        Assert.Single(result.Output);
    }

    [Fact]
    public void AnOutFileThatIsNotASurfaceIsNeitherResumedNorOverwritten()
    {
        var directions = temp.Combine("directions.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -OutFile $directions | Out-Null", Variables(("directions", directions))).ShouldSucceed();
        var before = File.ReadAllBytes(directions);

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $directions", Variables(("directions", directions)));

        AssertSingleNonTerminating(result, "SurfaceFileInvalid", ErrorCategory.InvalidData, directions);
        Assert.Equal(before, File.ReadAllBytes(directions));
    }

    [Fact]
    public void ATruncatedSurfaceFileIsInvalid()
    {
        var surface = temp.Combine("surface.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $surface | Out-Null", Variables(("surface", surface))).ShouldSucceed();
        var bytes = File.ReadAllBytes(surface);
        File.WriteAllBytes(surface, bytes[..(bytes.Length / 2)]);

        var result = fixture.Shell.Invoke("Import-LossSurface $surface", Variables(("surface", surface)));

        AssertSingleNonTerminating(result, "SurfaceFileInvalid", ErrorCategory.InvalidData, surface);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void AWildcardMatchingNoSurfaceFileIsNotFound()
    {
        var pattern = temp.Combine("none-*.h5");
        var result = fixture.Shell.Invoke("Import-LossSurface $pattern", Variables(("pattern", pattern)));

        var error = AssertSingleNonTerminating(result, "SurfaceFileInvalid", ErrorCategory.ObjectNotFound, pattern);
        Assert.Contains("No surface file matches", error.Exception.Message);
    }

    [Fact]
    public void ResumingWithOtherSettingsIsRefusedSaysWhatDiffersAndKeepsTheFinishedPoints()
    {
        var surface = temp.Combine("surface.h5");
        fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $surface | Out-Null", Variables(("surface", surface))).ShouldSucceed();
        var before = File.ReadAllBytes(surface);

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -Seed 99 -OutFile $surface", Variables(("surface", surface)));

        var error = AssertSingleNonTerminating(result, "SurfaceSettingsMismatch", ErrorCategory.ResourceExists, surface);
        Assert.Contains("in the file", error.Exception.Message);
        Assert.Contains("\"seed\":123", error.Exception.Message.Replace(" ", ""));
        Assert.Equal(before, File.ReadAllBytes(surface));
    }

    // --- data ---

    [Fact]
    public void AnEmptyTensorDataSetIsInvalid()
    {
        var folder = temp.Combine("empty");
        WriteTensors(folder, count: 0, classes: 10);

        var result = fixture.Shell.Invoke("Get-LandscapeDataset -Path $folder -Format Tensors", Variables(("folder", folder)));

        var error = AssertSingleNonTerminating(result, "DatasetFileInvalid", ErrorCategory.InvalidData, folder);
        Assert.Contains("at least one sample", error.Exception.Message);
    }

    [Fact]
    public void AnMnistLabelOutOfRangeIsInvalid()
    {
        var folder = temp.Combine("mnist");
        DatasetTests.WriteMnist(folder, trainCount: 10, testCount: 10);
        var labels = Path.Combine(folder, "train-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(labels);
        bytes[8 + 3] = 10;
        File.WriteAllBytes(labels, bytes);

        var result = fixture.Shell.Invoke("Get-LandscapeDataset -Path $folder -Format Mnist", Variables(("folder", folder)));

        var error = AssertSingleNonTerminating(result, "DatasetFileInvalid", ErrorCategory.InvalidData, folder);
        Assert.Contains("Label 3", error.Exception.Message);
    }

    [Fact]
    public void ATruncatedMnistFileIsInvalid()
    {
        var folder = temp.Combine("mnist");
        DatasetTests.WriteMnist(folder, trainCount: 10, testCount: 10);
        var images = Path.Combine(folder, "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..500]);

        var result = fixture.Shell.Invoke("Get-LandscapeDataset -Path $folder -Format Mnist", Variables(("folder", folder)));

        var error = AssertSingleNonTerminating(result, "DatasetFileInvalid", ErrorCategory.InvalidData, folder);
        Assert.Contains("truncated", error.Exception.Message);
    }

    [Fact]
    public void ACifarBatchOfTheWrongSizeIsInvalid()
    {
        var folder = temp.Combine("cifar");
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
            File.WriteAllBytes(Path.Combine(folder, name), new byte[3073 + 100]);

        var result = fixture.Shell.Invoke("Get-LandscapeDataset -Path $folder -Format Cifar10", Variables(("folder", folder)));

        var error = AssertSingleNonTerminating(result, "DatasetFileInvalid", ErrorCategory.InvalidData, folder);
        Assert.Contains("not a positive multiple", error.Exception.Message);
    }

    [Fact]
    public void AnUnknownDataSetNameIsNotFoundAndTheKnownOneIsDescribed()
    {
        var result = fixture.Shell.Invoke("Get-LandscapeDataset -Name Cifar100, Digits");

        AssertSingleNonTerminating(result, "DatasetUnknown", ErrorCategory.ObjectNotFound, "Cifar100");
        Assert.Equal("Digits", Assert.Single(result.Output).Properties["Name"].Value);
    }

    [Fact]
    public void DataOfAnotherShapeIsRefusedBeforeTheModelRuns()
    {
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 3 -Dataset SyntheticCifar", Variables());

        var error = AssertSingleNonTerminating(result, "SurfaceArgumentInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("3×32×32 inputs", error.Exception.Message);
        Assert.Contains("expects 1×8×8", error.Exception.Message);
    }

    [Fact]
    public void AnExportedCheckpointWithoutDatasetSaysWhatIsMissingAndTheDatasetFixesIt()
    {
        var exported = temp.Combine("digits.pt");
        var result = fixture.Shell.Invoke(
            "Import-Checkpoint $ckpt | Export-Checkpoint $exported; $pt = Import-Checkpoint $exported -Architecture DigitsCnn; $pt | Get-LossSurface -Dimensions 1 -Steps 3; ($pt | Get-LossSurface -Dimensions 1 -Steps 3 -Dataset Digits).TrainLoss.Count",
            Variables(("exported", exported)));

        var error = AssertSingleNonTerminating(result, "SurfaceArgumentInvalid", ErrorCategory.InvalidArgument, target: null);
        Assert.Contains("The checkpoint file 'digits.pt' records no data set", error.Exception.Message);
        Assert.Contains("pass -Dataset", error.Exception.Message);
        Assert.Equal(3, Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void LabelsBeyondTheModelsClassesAreRefused()
    {
        var folder = temp.Combine("twelve-classes");
        WriteTensors(folder, count: 24, classes: 12);

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Steps 3 -Dataset (Get-LandscapeDataset -Path $folder -Format Tensors)", Variables(("folder", folder)));

        var error = AssertSingleNonTerminating(result, "SurfaceArgumentInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("12 classes", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    // --- models, training, directions, curvature, jobs ---

    [Fact]
    public void AnUnknownModelNameIsNotFoundAndTheKnownOneIsDescribed()
    {
        var result = fixture.Shell.Invoke("Get-LandscapeModel -Name Nope, Mlp");

        var error = AssertSingleNonTerminating(result, "ModelUnknown", ErrorCategory.ObjectNotFound, "Nope");
        Assert.Contains("Known: Mlp, DigitsCnn", error.Exception.Message);
        Assert.Equal("Mlp", Assert.Single(result.Output).Properties["Name"].Value);
    }

    [Fact]
    public void TrainingIntoAFolderThatIsAFileIsTrainingFailedAndTheFileIsUntouched()
    {
        var file = temp.Combine("notes.txt");
        File.WriteAllText(file, "keep me");

        var result = fixture.Shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $file", Variables(("file", file)));

        AssertSingleNonTerminating(result, "TrainingFailed", ErrorCategory.InvalidOperation, file);
        Assert.Empty(result.Output);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void ATargetDirectionTowardsAnotherArchitectureIsDirectionInvalid()
    {
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Target (Import-Checkpoint $mlp)", Variables());

        var error = AssertSingleNonTerminating(result, "DirectionInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("are different architectures", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void HeadNormalizationOfACnnIsDirectionInvalid()
    {
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | New-LandscapeDirection -Normalization Head", Variables());

        var error = AssertSingleNonTerminating(result, "DirectionInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("epoch-001 is a DigitsCnn, which has no attention heads: use Filter", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void AHessianOfBothSplitsIsCurvatureInvalid()
    {
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-HessianSpectrum -Split Both", Variables());

        var error = AssertSingleNonTerminating(result, "CurvatureInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("-Split Train or -Split Test", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void SharpnessOfBothSplitsIsSharpnessInvalid()
    {
        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Get-LandscapeSharpness -Split Both", Variables());

        var error = AssertSingleNonTerminating(result, "SharpnessInvalid", ErrorCategory.InvalidArgument, CheckpointAt(fixture.Cnn));
        Assert.Contains("-Split Train or -Split Test", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void StartingAJobInAFolderThatHoldsOneIsSurfaceJobExistsAndTheJobIsKept()
    {
        var job = temp.Combine("job");
        UnstartedJob.WriteManifest(job);
        var before = File.ReadAllBytes(Path.Combine(job, "job.json"));

        var result = fixture.Shell.Invoke("Import-Checkpoint $ckpt | Start-LossSurfaceJob -JobFolder $job -ShardCount 2 -Steps 3", Variables(("job", job)));

        var error = AssertSingleNonTerminating(result, "SurfaceJobExists", ErrorCategory.ResourceExists, job);
        Assert.Contains("-Force", error.Exception.Message);
        Assert.Equal(["job.json"], Directory.GetFileSystemEntries(job).Select(Path.GetFileName));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(job, "job.json")));
    }

    // --- settings ---

    [Theory]
    [InlineData("Set-LandscapeSetting -ThreadCount 0")]
    [InlineData("Import-Checkpoint $ckpt | Get-LossSurface -Steps 3 -ThreadCount 0")]
    public void AThreadCountOfZeroIsRefusedBeforeAnythingRuns(string pipeline)
    {
        var before = fixture.Shell.Invoke("(Get-LandscapeSetting).ThreadCount").ShouldSucceed().Output[0].BaseObject;

        var error = CaughtTerminatingError(pipeline, Variables());

        AssertRecord(error, "ParameterArgumentValidationError", ErrorCategory.InvalidData, null);
        Assert.Contains("parameter 'ThreadCount'", error.Exception.Message);
        Assert.Equal(before, fixture.Shell.Invoke("(Get-LandscapeSetting).ThreadCount").ShouldSucceed().Output[0].BaseObject);
    }

    // --- the table ---

    [Fact]
    public void TheErrorTableNamesRealIdsAndTests()
    {
        var rows = ErrorTableRows();
        var errorIds = ErrorIdConstants().Values.Append("ParameterArgumentValidationError").ToHashSet();

        Assert.True(rows.Length >= 25, $"{rows.Length} rows");
        Assert.Equal(rows.Length, rows.Select(r => r[0]).Distinct().Count());
        foreach (var row in rows)
        {
            Assert.True(row.Length == 6, $"six cells: {string.Join(" | ", row)}");
            var errorId = row[1].Trim('`');
            Assert.True(errorIds.Contains(errorId), $"{errorId} is no ErrorIds constant");
            Assert.All(row[2].Split('/'), category => Assert.True(Enum.TryParse<ErrorCategory>(category.Trim(), out _), $"{row[2]} is no ErrorCategory"));
            Assert.Contains(row[3], new[] { "yes", "no" });
            var (className, methodName) = (row[5].Trim('`').Split('.')[0], row[5].Trim('`').Split('.')[1]);
            var source = TestSource(className, methodName);
            Assert.True(source is not null, $"{row[5]} is no test of the PowerShell or the shell tests");
            Assert.True(source.Contains($"\"{errorId}", StringComparison.Ordinal), $"{className} never checks {errorId}");
        }
    }

    [Fact]
    public void EveryErrorIdTheModuleRaisesIsDocumentedAndNoneIsUnused()
    {
        var moduleFolder = Path.Combine(ModuleRunspace.RepoRoot, "src", "LossLandscape.PowerShell");
        var moduleSource = string.Join('\n', Directory.EnumerateFiles(moduleFolder, "*.cs", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(moduleFolder, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Where(file => Path.GetFileName(file) != "ErrorIds.cs")
            .Select(File.ReadAllText));
        var documented = ErrorTableRows().Select(row => row[1].Trim('`')).ToHashSet();
        var constants = ErrorIdConstants();

        Assert.True(constants.Count >= 40, $"{constants.Count} constants");
        var unused = constants.Keys.Where(name => !Regex.IsMatch(moduleSource, $@"\bErrorIds\.{name}\b")).ToArray();
        var undocumented = constants.Values.Where(id => !documented.Contains(id)).ToArray();
        Assert.True(unused.Length == 0, $"No cmdlet raises {string.Join(", ", unused)}: delete the constant(s).");
        Assert.True(undocumented.Length == 0, $"docs/errors.md has no row for {string.Join(", ", undocumented)}.");
    }

    private static string[][] ErrorTableRows() =>
        File.ReadLines(Path.Combine(ModuleRunspace.RepoRoot, "docs", "errors.md"))
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| input |", StringComparison.Ordinal))
            .Select(line => line.Split('|')[1..^1].Select(cell => cell.Trim()).ToArray())
            .ToArray();

    /// <summary>The constants of ErrorIds, field name to value.</summary>
    private Dictionary<string, string> ErrorIdConstants() =>
        fixture.Shell.Invoke($"{ModuleRunspace.ModuleType("LossLandscape.PowerShell", "LossLandscape.PowerShell.Infrastructure.ErrorIds")}.GetFields() | ForEach-Object {{ $_.Name; $_.GetValue($null) }}")
            .ShouldSucceed().Output.Select(o => (string)o.BaseObject).Chunk(2).ToDictionary(pair => pair[0], pair => pair[1]);

    /// <summary>
    /// The source of the test class that defines <paramref name="methodName"/> as a test, or null: a
    /// class of this project found by reflection, else tests/LossLandscape.Shell.Tests/&lt;class&gt;.cs
    /// declaring the method under a [Fact], [Theory] or [LinuxFact] (that project is not referenced here).
    /// </summary>
    private static string? TestSource(string className, string methodName)
    {
        var method = typeof(BadInputTests).Assembly.GetType($"{typeof(BadInputTests).Namespace}.{className}")?.GetMethod(methodName);
        if (method is not null)
        {
            return method.GetCustomAttributes(typeof(FactAttribute), inherit: true).Length > 0
                ? File.ReadAllText(Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.PowerShell.Tests", className + ".cs"))
                : null;
        }
        var shellTest = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Shell.Tests", className + ".cs");
        if (!File.Exists(shellTest)) return null;
        var source = File.ReadAllText(shellTest);
        var declaredAsTest = Regex.IsMatch(source, $@"\[(Fact|Theory|LinuxFact)\b[^\]]*\]\s*(\[[^\]]*\]\s*)*public void {Regex.Escape(methodName)}\(")
            && Regex.IsMatch(source, $@"\bclass {Regex.Escape(className)}\b");
        return declaredAsTest ? source : null;
    }

    // --- helpers ---

    private static ErrorRecord AssertSingleNonTerminating(ModuleRunspace.Result result, string errorId, ErrorCategory category, object? target)
    {
        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        if (target is not null) AssertRecord(error, errorId, category, target);
        else
        {
            Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category);
            Assert.NotNull(error.TargetObject);
        }
        return error;
    }

    /// <param name="target">The expected TargetObject: a string or an array compared by value, a <see cref="CheckpointTarget"/> by the checkpoint's path, null for none.</param>
    private static void AssertRecord(ErrorRecord error, string errorId, ErrorCategory category, object? target)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        switch (target)
        {
            case CheckpointTarget checkpoint:
                Assert.Equal(checkpoint.Path, PSObject.AsPSObject(error.TargetObject).Properties["Path"].Value);
                Assert.Equal("Checkpoint", PSObject.AsPSObject(error.TargetObject).BaseObject.GetType().Name);
                break;
            default:
                Assert.Equal(target, error.TargetObject);
                break;
        }
    }

    private static CheckpointTarget CheckpointAt(string path) => new(path);

    private sealed record CheckpointTarget(string Path);

    /// <summary>
    /// Runs <paramref name="pipeline"/> with -ErrorAction SilentlyContinue inside try/catch: only a
    /// terminating error reaches the catch block, and the pipeline must have emitted nothing else.
    /// </summary>
    private ErrorRecord CaughtTerminatingError(string pipeline, Dictionary<string, object?> variables)
    {
        var result = fixture.Shell.Invoke($"try {{ {pipeline} -ErrorAction SilentlyContinue }} catch {{ $_ }}", variables).ShouldSucceed();
        return Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
    }

    /// <summary>train and test safetensors of <paramref name="count"/> 1×8×8 inputs labelled 0..classes−1 in turn.</summary>
    private static void WriteTensors(string folder, int count, int classes)
    {
        Directory.CreateDirectory(folder);
        var inputs = new byte[count * 64 * 4];
        for (var i = 0; i < count * 64; i++) BinaryPrimitives.WriteSingleLittleEndian(inputs.AsSpan(i * 4), (i % 17) / 17f);
        var labels = new byte[count * 8];
        for (var i = 0; i < count; i++) BinaryPrimitives.WriteInt64LittleEndian(labels.AsSpan(i * 8), i % classes);
        var header = $"{{\"inputs\":{{\"dtype\":\"F32\",\"shape\":[{count},1,8,8],\"data_offsets\":[0,{inputs.Length}]}},\"labels\":{{\"dtype\":\"I64\",\"shape\":[{count}],\"data_offsets\":[{inputs.Length},{inputs.Length + labels.Length}]}}}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        var bytes = new byte[8 + header.Length + inputs.Length + labels.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 8);
        inputs.CopyTo(bytes, 8 + header.Length);
        labels.CopyTo(bytes, 8 + header.Length + inputs.Length);
        File.WriteAllBytes(Path.Combine(folder, "train.safetensors"), bytes);
        File.WriteAllBytes(Path.Combine(folder, "test.safetensors"), bytes);
    }
}
