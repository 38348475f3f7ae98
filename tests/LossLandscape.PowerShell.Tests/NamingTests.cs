using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// One name per concept across the cmdlets: a file is -Path / .Path, a shard count -ShardCount, a
/// shard number -ShardIndex. The earlier names (-Shards, -Shard, -FilePath, .FilePath) still work.
/// </summary>
public sealed class NamingTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public NamingTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Epochs 2 -MaxSamples 60 -Seed 3 -OutputDirectory $dir | Out-Null", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["dir"] = run.Path, ["job"] = run.Combine("job"), ["empty"] = run.Combine("empty") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void NoCmdletUsesTheOldNamesAsParameterNamesAndEachOldNameIsAnAliasOfTheNewOne()
    {
        var result = shell.Invoke("""
            $all = Get-Command -Module LossLandscape
            ($all | ForEach-Object { $_.Parameters.Keys }) -join ','
            (Get-Command Start-LossSurfaceJob).Parameters['ShardCount'].Aliases -join ','
            (Get-Command Invoke-LossSurfaceTask).Parameters['ShardIndex'].Aliases -join ','
            (Get-Command Import-LandscapeDirection).Parameters['Path'].Aliases -join ','
            """).ShouldSucceed();

        var names = result.Output[0].ToString().Split(',');
        Assert.DoesNotContain("Shards", names);
        Assert.DoesNotContain("Shard", names);
        Assert.DoesNotContain("FilePath", names);
        Assert.Equal("Shards", result.Output[1].ToString());
        Assert.Equal("Shard", result.Output[2].ToString());
        Assert.Equal("FilePath", result.Output[3].ToString());
    }

    [Fact]
    public void EachOldParameterNameStillBinds()
    {
        Directory.CreateDirectory((string)variables["empty"]!);

        // -Shards binds: the refusal is the Slurm option's, raised after binding, not a binding error.
        var shards = shell.Invoke("Import-Checkpoint $dir/epoch-001.dat | Start-LossSurfaceJob -JobFolder $job -Shards 2 -Steps 3 -ShellPath $dir/epoch-001.json -JobName \"a`nb\"", variables);
        // -Shard binds: the folder holds no job, which is found only after binding.
        var shard = shell.Invoke("Invoke-LossSurfaceTask -JobFolder $empty -Shard 1", variables);
        var filePath = shell.Invoke("Import-Checkpoint $dir/epoch-002.dat | New-LandscapeDirection -Dimensions 1 -OutFile $dir/d.h5 | Out-Null; Import-LandscapeDirection -FilePath $dir/d.h5 -Checkpoint (Import-Checkpoint $dir/epoch-002.dat)", variables).ShouldSucceed();

        Assert.StartsWith("SurfaceJobArgumentInvalid,", Assert.Single(shards.Errors).FullyQualifiedErrorId);
        Assert.StartsWith("SurfaceJobNotFound,", (shard.Terminating as IContainsErrorRecord)?.ErrorRecord.FullyQualifiedErrorId ?? Assert.Single(shard.Errors).FullyQualifiedErrorId);
        Assert.Equal(run.Combine("d.h5"), Assert.Single(filePath.Output).Properties["Path"].Value);
    }

    [Fact]
    public void OutputObjectsCallTheirFilePathAndKeepFilePathAsAnAlias()
    {
        var result = shell.Invoke("""
            $d = Import-Checkpoint $dir/epoch-002.dat | New-LandscapeDirection -Dimensions 1 -OutFile $dir/old.h5
            $pca = Import-Checkpoint $dir/epoch-*.dat | Get-TrajectoryPCA -OutFile $dir/pca.h5
            $d.Path; $d.FilePath; $pca.Path; $pca.FilePath
            """, variables).ShouldSucceed();

        Assert.Equal([run.Combine("old.h5"), run.Combine("old.h5"), run.Combine("pca.h5"), run.Combine("pca.h5")], result.Output.Select(o => o.ToString()));
    }
}
