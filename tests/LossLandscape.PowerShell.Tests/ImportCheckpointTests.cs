using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

public sealed class ImportCheckpointTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();

    public ImportCheckpointTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 1 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void WildcardImportsEachCheckpointOnceWithItsDescription()
    {
        var result = shell.Invoke("Import-Checkpoint -Path (\"$dir\" + '/epoch-*')", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();

        Assert.Equal(["epoch-000", "epoch-001"], result.Output.Select(o => (string)o.Properties["Name"].Value));
        var last = result.Output[1];
        Assert.Equal("DigitsCnn", last.Properties["Architecture"].Value);
        Assert.Equal("LossLandscape", last.Properties["Format"].Value);
        Assert.Equal(1, last.Properties["Epoch"].Value);
        Assert.Equal(15_418L, last.Properties["ParameterCount"].Value);
        var sha = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(run.Path, "epoch-001.dat")));
        Assert.Equal(Convert.ToHexString(sha).ToLowerInvariant(), last.Properties["Sha256"].Value);
        Assert.NotEmpty((Array)last.Properties["Layers"].Value);
    }

    [Fact]
    public void PipelineBindsByValueAndByPropertyName()
    {
        var variables = new Dictionary<string, object?> { ["dir"] = run.Path };
        var byValue = shell.Invoke("[System.IO.Path]::Combine($dir, 'epoch-001.dat') | Import-Checkpoint", variables).ShouldSucceed();
        var byFileInfo = shell.Invoke("[System.IO.FileInfo]::new([System.IO.Path]::Combine($dir, 'epoch-001.json')) | Import-Checkpoint", variables).ShouldSucceed();
        var byCheckpoint = shell.Invoke("Import-Checkpoint ([System.IO.Path]::Combine($dir, 'epoch-001.dat')) | Import-Checkpoint", variables).ShouldSucceed();

        foreach (var result in new[] { byValue, byFileInfo, byCheckpoint })
        {
            Assert.Equal(Path.Combine(run.Path, "epoch-001.dat"), Assert.Single(result.Output).Properties["Path"].Value);
        }
    }

    [Fact]
    public void EachBadInputIsANonTerminatingErrorAndThePipelineContinues()
    {
        var corrupt = Path.Combine(run.Path, "corrupt");
        Directory.CreateDirectory(corrupt);
        File.WriteAllBytes(Path.Combine(corrupt, "epoch-001.dat"), File.ReadAllBytes(Path.Combine(run.Path, "epoch-001.dat"))[..1000]);
        File.Copy(Path.Combine(run.Path, "epoch-001.json"), Path.Combine(corrupt, "epoch-001.json"));

        var mismatch = Path.Combine(run.Path, "mismatch");
        Directory.CreateDirectory(mismatch);
        File.Copy(Path.Combine(run.Path, "epoch-001.dat"), Path.Combine(mismatch, "epoch-001.dat"));
        var json = File.ReadAllText(Path.Combine(run.Path, "epoch-001.json")).Replace("\"architecture\": \"DigitsCnn\"", "\"architecture\": \"Mlp\"", StringComparison.Ordinal);
        Assert.Contains("\"Mlp\"", json);
        File.WriteAllText(Path.Combine(mismatch, "epoch-001.json"), json);

        var good = Path.Combine(run.Path, "epoch-001.dat");
        var inputs = new[] { Path.Combine(run.Path, "missing.dat"), run.Path, Path.Combine(corrupt, "epoch-001.dat"), Path.Combine(mismatch, "epoch-001.dat"), good };
        var result = shell.Invoke("$inputs | Import-Checkpoint", new Dictionary<string, object?> { ["inputs"] = inputs });

        Assert.Null(result.Terminating);
        Assert.Equal(good, Assert.Single(result.Output).Properties["Path"].Value);
        Assert.Equal(
            [
                ("CheckpointNotFound", ErrorCategory.ObjectNotFound, inputs[0]),
                ("CheckpointIsDirectory", ErrorCategory.InvalidArgument, inputs[1]),
                ("CheckpointCorrupt", ErrorCategory.InvalidData, inputs[2]),
                ("CheckpointArchitectureMismatch", ErrorCategory.InvalidData, inputs[3]),
            ],
            result.Errors.Select(e => (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category, (string)e.TargetObject)));
        Assert.All(result.Errors, e => Assert.EndsWith(",LossLandscape.PowerShell.Commands.ImportCheckpointCommand", e.FullyQualifiedErrorId));
        Assert.Contains("truncated", result.Errors[2].Exception.Message);
        Assert.Contains("Mlp", result.Errors[3].Exception.Message);
        // Files given are never changed by a failed import.
        Assert.Equal(1000, new FileInfo(inputs[2]).Length);
    }

    [Fact]
    public void AMissingSideFileAndAnUnknownArchitectureHaveTheirOwnIds()
    {
        var orphan = Path.Combine(run.Path, "orphan");
        Directory.CreateDirectory(orphan);
        File.Copy(Path.Combine(run.Path, "epoch-001.dat"), Path.Combine(orphan, "epoch-001.dat"));
        var unknown = Path.Combine(run.Path, "unknown");
        Directory.CreateDirectory(unknown);
        File.Copy(Path.Combine(run.Path, "epoch-001.dat"), Path.Combine(unknown, "epoch-001.dat"));
        File.WriteAllText(Path.Combine(unknown, "epoch-001.json"), File.ReadAllText(Path.Combine(run.Path, "epoch-001.json")).Replace("\"DigitsCnn\"", "\"ResNet21\"", StringComparison.Ordinal));

        var result = shell.Invoke("Import-Checkpoint $a, $b", new Dictionary<string, object?> { ["a"] = Path.Combine(orphan, "epoch-001.dat"), ["b"] = Path.Combine(unknown, "epoch-001.dat") });

        Assert.Equal(["CheckpointMetadataMissing", "CheckpointArchitectureUnknown"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[0].CategoryInfo.Category);
        Assert.Contains("has no side file 'epoch-001.json'", result.Errors[0].Exception.Message);
        Assert.Contains("ResNet21", result.Errors[1].Exception.Message);
    }

    [Fact]
    public void ANaNCheckpointIsFlaggedAndItsSurfaceRefusedUnlessAllowed()
    {
        var variables = new Dictionary<string, object?> { ["ckpt"] = BrokenCheckpoint.WithNaN(Path.Combine(run.Path, "epoch-001.dat"), Path.Combine(run.Path, "nan")) };

        var imported = shell.Invoke("$c = Import-Checkpoint $ckpt -WarningVariable w; $c.NonFiniteCount; $w.Count", variables).ShouldSucceed();
        Assert.Equal([1L, 1], imported.Output.Select(o => Convert.ToInt64(o.BaseObject)));

        var refused = shell.Invoke("Import-Checkpoint $ckpt -WarningAction SilentlyContinue | Get-LossSurface -Steps 3", variables);
        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("CheckpointNonFinite,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);

        var forced = shell.Invoke("Import-Checkpoint $ckpt -WarningAction SilentlyContinue | Get-LossSurface -Steps 3 -AllowNonFinite", variables).ShouldSucceed();
        Assert.Equal(9, Assert.Single(forced.Output).Properties["ComputedCount"].Value);
    }
}
