using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>PyTorch and safetensors checkpoints in and out, and hostile files, through the cmdlets.</summary>
public sealed class PyTorchFormatTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string Fixtures = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "Formats");
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();

    public PyTorchFormatTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 6 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void EveryPyTorchFixtureImportsWithItsArchitecture()
    {
        var files = new[] { "digits_plain.pt", "digits_paper.t7", "digits_dataparallel.pth", "digits_legacy.t7", "digits_half.pt", "digits.safetensors" }
            .Select(f => Path.Combine(Fixtures, f)).ToArray();
        var result = shell.Invoke("$files | Import-Checkpoint -Architecture DigitsCnn", new Dictionary<string, object?> { ["files"] = files }).ShouldSucceed();
        Assert.Equal(files.Length, result.Output.Count);
        Assert.All(result.Output, c => Assert.Equal(15_418L, c.Properties["ParameterCount"].Value));
        Assert.Equal(["PyTorch", "PyTorch", "PyTorch", "PyTorch", "PyTorch", "Safetensors"], result.Output.Select(c => (string)c.Properties["Format"].Value));
    }

    [Fact]
    public void ThePaperCodesSavedAccuracyAndEpochShowOnTheImportedCheckpoint()
    {
        var files = new[] { "digits_paper.t7", "digits_legacy.t7", "digits_plain.pt" }.Select(f => Path.Combine(Fixtures, f)).ToArray();

        var result = shell.Invoke("$files | Import-Checkpoint -Architecture DigitsCnn | ForEach-Object { '{0}|{1}|{2}' -f $_.TestAccuracy, $_.Epoch, $_ }", new Dictionary<string, object?> { ["files"] = files }).ShouldSucceed();

        var rows = result.Output.Select(o => o.ToString().Split('|')).ToArray();
        // make_fixtures.py saves {'acc': 93.1, 'epoch': 7, 'state_dict': …} as the paper's main.py does, in both pickle layouts.
        Assert.Equal(["93.1", "7"], rows[0][..2]);
        Assert.EndsWith("(epoch 7), test 93.10%", rows[0][2]);
        Assert.Equal(["93.1", "7"], rows[1][..2]);
        // A bare state_dict has neither.
        Assert.Equal(["", ""], rows[2][..2]);
        Assert.DoesNotContain("test", rows[2][2]);
    }

    [Fact]
    public void HostileAndWrongFilesAreNonTerminatingErrorsWithStableIds()
    {
        var inputs = new[] { "hostile_os_system.pt", "hostile_unknown_class.pt", "truncated.pt", "hostile_offsets_past_end.safetensors", "resnet20.pt", "digits_plain.pt" }
            .Select(f => Path.Combine(Fixtures, f)).ToArray();
        var result = shell.Invoke("$inputs | Import-Checkpoint -Architecture DigitsCnn", new Dictionary<string, object?> { ["inputs"] = inputs });

        Assert.Null(result.Terminating);
        Assert.Equal(inputs[^1], Assert.Single(result.Output).Properties["Path"].Value);
        Assert.Equal(
            [
                ("CheckpointUnsafe", ErrorCategory.SecurityError, inputs[0]),
                ("CheckpointUnsafe", ErrorCategory.SecurityError, inputs[1]),
                ("CheckpointCorrupt", ErrorCategory.InvalidData, inputs[2]),
                ("CheckpointCorrupt", ErrorCategory.InvalidData, inputs[3]),
                ("CheckpointArchitectureMismatch", ErrorCategory.InvalidData, inputs[4]),
            ],
            result.Errors.Select(e => (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category, (string)e.TargetObject)));
        Assert.Contains("posix.system", result.Errors[0].Exception.Message);
        Assert.Contains("mymodule.MyNet", result.Errors[1].Exception.Message);
        Assert.Contains("missing keys", result.Errors[4].Exception.Message);
    }

    [Theory]
    [InlineData("PyTorch", "model.pt")]
    [InlineData("Safetensors", "model.safetensors")]
    public void ExportedCheckpointsReimportToTheSameSurface(string format, string name)
    {
        var variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["out"] = Path.Combine(run.Path, name), ["format"] = format };
        var result = shell.Invoke("""
            $original = Import-Checkpoint $ckpt
            $file = $original | Export-Checkpoint -Path $out -Format $format -PassThru
            $copy = Import-Checkpoint $file.FullName -Architecture DigitsCnn
            ($original | Get-LossSurface -Steps 3 -Dataset Digits).TrainLoss -join ','
            ($copy | Get-LossSurface -Steps 3 -Dataset Digits).TrainLoss -join ','
            $copy.Format
            """, variables).ShouldSucceed();
        var lines = result.Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(lines[0], lines[1]);
        Assert.Equal(format, lines[2]);

        var again = shell.Invoke("Import-Checkpoint $ckpt | Export-Checkpoint -Path $out -Format $format", variables);
        Assert.StartsWith("OutputFileExists,", Assert.Single(again.Errors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("model.safetensors", "Safetensors")]
    [InlineData("model.pt", "PyTorch")]
    [InlineData("model.pth", "PyTorch")]
    public void WithoutFormatTheExtensionChoosesIt(string name, string format)
    {
        var variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["out"] = Path.Combine(run.Path, "by-extension-" + name) };
        var result = shell.Invoke("(Import-Checkpoint $ckpt | Export-Checkpoint -Path $out -PassThru | ForEach-Object { Import-Checkpoint $_.FullName -Architecture DigitsCnn }).Format", variables).ShouldSucceed();
        Assert.Equal(format, Assert.Single(result.Output).ToString());
    }
}
