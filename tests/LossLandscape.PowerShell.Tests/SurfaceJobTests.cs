using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>The surface job cmdlets without a cluster (SlurmJobTests in the shell tests run them on a real one).</summary>
public sealed class SurfaceJobTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly TempDirectory run = new();

    public void Dispose() => run.Dispose();

    [Fact]
    public void StartOutsideTheShellWithoutOneOnPathIsShellNotFoundAndWritesNothing()
    {
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $dir | Out-Null", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        var job = run.Combine("job");
        // Only a terminating error reaches the catch block.
        var result = shell.Invoke("try { Import-Checkpoint $dir/epoch-001.dat | Start-LossSurfaceJob -JobFolder $job -ShardCount 2 -Steps 3 -ErrorAction SilentlyContinue } catch { $_ }", new Dictionary<string, object?> { ["dir"] = run.Path, ["job"] = job }).ShouldSucceed();

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.StartsWith("ShellNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("-ShellPath", error.Exception.Message);
        Assert.False(Directory.Exists(job));
    }

    [Theory]
    [InlineData("-JobName \"a`nb\"", "a\nb")]
    [InlineData("-Partition \"cpu`r\"", "cpu\r")]
    [InlineData("-TimeLimit \"10`0\"", "10\0")]
    [InlineData("-SbatchArgument '--mem=1G', \"--comment=x`ny\"", "--comment=x\ny")]
    public void ALineBreakOrNulInASlurmOptionIsSurfaceJobArgumentInvalidAndWritesNothing(string option, string value)
    {
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $dir | Out-Null", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        var job = run.Combine("job");
        // Any existing file passes as the task command here: the refusal comes before it is used.
        var result = shell.Invoke($"Import-Checkpoint $dir/epoch-001.dat | Start-LossSurfaceJob -JobFolder $job -ShardCount 2 -Steps 3 -ShellPath $dir/epoch-001.json {option}", new Dictionary<string, object?> { ["dir"] = run.Path, ["job"] = job });

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("SurfaceJobArgumentInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(value, error.TargetObject);
        Assert.Empty(result.Output);
        Assert.False(Directory.Exists(job));
    }

    [Fact]
    public void GetOfAFolderWithoutAJobIsSurfaceJobNotFoundAndTheNextFolderIsStillReported()
    {
        var empty = run.Combine("empty");
        Directory.CreateDirectory(empty);
        var job = run.Combine("job");
        UnstartedJob.WriteManifest(job);

        var result = shell.Invoke("Get-LossSurfaceJob $empty, $job -WarningAction SilentlyContinue", new Dictionary<string, object?> { ["empty"] = empty, ["job"] = job });

        Assert.Null(result.Terminating);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("SurfaceJobNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(empty, error.TargetObject);
        var reported = Assert.Single(result.Output);
        Assert.Equal(49, reported.Properties["PointCount"].Value);
        Assert.Equal(0, reported.Properties["PointsDone"].Value);
        Assert.Equal(new[] { 0, 1, 2, 3 }, (int[])reported.Properties["IncompleteShards"].Value);
        Assert.Equal("41", reported.Properties["ArrayJobId"].Value);
    }
}
