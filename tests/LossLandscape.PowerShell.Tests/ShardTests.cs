using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Get-LossSurface -ShardIndex/-ShardCount and Merge-LossSurface in the real engine.</summary>
public sealed class ShardTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private const string Surface = "Import-Checkpoint $ckpt | Get-LossSurface -Steps 4 -MaxSamples 100 -ThrottleLimit 1";
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public ShardTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?>
        {
            ["ckpt"] = run.Combine("epoch-001.dat"),
            ["dir"] = run.Path,
            ["whole"] = run.Combine("whole.h5"),
            ["merged"] = run.Combine("merged.h5"),
        };
    }

    public void Dispose() => run.Dispose();

    private string[] ComputeShards(int count = 4, string extra = "")
    {
        var shards = shell.Invoke($"0..{count - 1} | ForEach-Object {{ {Surface} -ShardIndex $_ -ShardCount {count} -OutFile \"$dir/shard-$_.h5\" {extra} }}", variables).ShouldSucceed().Output;
        Assert.Equal(count, shards.Count);
        for (var index = 0; index < count; index++)
        {
            Assert.Equal(index, shards[index].Properties["ShardIndex"].Value);
            Assert.Equal(count, shards[index].Properties["ShardCount"].Value);
            Assert.True((bool)shards[index].Properties["IsComplete"].Value);
            Assert.Equal(16 / count, shards[index].Properties["ComputedCount"].Value);
        }
        return Enumerable.Range(0, count).Select(i => run.Combine($"shard-{i}.h5")).ToArray();
    }

    private ErrorRecord CaughtTerminatingError(string pipeline)
    {
        var result = shell.Invoke($"try {{ {pipeline} -ErrorAction SilentlyContinue }} catch {{ $_ }}", variables).ShouldSucceed();
        return Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void ShardFilesFoundByWildcardMergeIntoTheUnshardedFileByteForByte()
    {
        shell.Invoke($"{Surface} -OutFile $whole", variables).ShouldSucceed();
        ComputeShards();

        var merged = shell.Invoke("Merge-LossSurface -Path \"$dir/shard-*.h5\" -OutFile $merged -PassThru", variables).ShouldSucceed();
        var surface = Assert.Single(merged.Output);
        Assert.Equal("LossLandscape.PowerShell.Types.LossSurface", surface.BaseObject.GetType().FullName);
        Assert.True((bool)surface.Properties["IsComplete"].Value);
        Assert.Null(surface.Properties["ShardCount"].Value);
        Assert.Equal(variables["merged"], surface.Properties["Path"].Value);
        Assert.Equal(File.ReadAllBytes(run.Combine("whole.h5")), File.ReadAllBytes(run.Combine("merged.h5")));
    }

    [Fact]
    public void PathsComeByValueAndByFullNameAndWithoutPassThruNothingIsEmitted()
    {
        var shards = ComputeShards(count: 2);
        variables["a"] = shards[0];
        variables["b"] = shards[1];

        Assert.Empty(shell.Invoke("$a, $b | Merge-LossSurface -OutFile $merged", variables).ShouldSucceed().Output);
        var byValue = File.ReadAllBytes(run.Combine("merged.h5"));
        var byName = shell.Invoke("[pscustomobject]@{ FullName = $a }, [pscustomobject]@{ FullName = $b } | Merge-LossSurface -OutFile \"$dir/by-name.h5\" -PassThru", variables).ShouldSucceed();
        Assert.Equal(16, Assert.Single(byName.Output).Properties["ComputedCount"].Value);
        Assert.Equal(byValue, File.ReadAllBytes(run.Combine("by-name.h5")));

        var whatIf = shell.Invoke("Merge-LossSurface $a, $b -OutFile \"$dir/what-if.h5\" -WhatIf", variables).ShouldSucceed();
        Assert.Empty(whatIf.Output);
        Assert.False(File.Exists(run.Combine("what-if.h5")));
    }

    [Theory]
    [InlineData("-ShardIndex 4 -ShardCount 4 -OutFile $merged", 4, "in 0..3")]
    [InlineData("-ShardIndex -1 -ShardCount 4 -OutFile $merged", -1, "in 0..3")]
    [InlineData("-ShardIndex 0 -ShardCount 0 -OutFile $merged", 0, "at least 1")]
    [InlineData("-ShardIndex 1 -OutFile $merged", 1, "-ShardCount is missing")]
    [InlineData("-ShardCount 3 -OutFile $merged", 3, "-ShardIndex is missing")]
    [InlineData("-ShardIndex 0 -ShardCount 2", 0, "give -OutFile")]
    public void InvalidShardParametersAreSurfaceShardInvalidBeforeAnythingIsComputed(string parameters, int target, string message)
    {
        var error = CaughtTerminatingError($"{Surface} {parameters}");
        Assert.StartsWith("SurfaceShardInvalid,LossLandscape.PowerShell.Commands.GetLossSurfaceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(run.Combine("merged.h5")));
    }

    [Fact]
    public void MergeRefusesOverlapsGapsDisagreementAndAnExistingFileLeavingItIntact()
    {
        var shards = ComputeShards();
        shell.Invoke($"{Surface} -OutFile $whole", variables).ShouldSucceed();
        variables["shards"] = shards;
        File.WriteAllText(run.Combine("merged.h5"), "keep me");

        var exists = shell.Invoke("Merge-LossSurface $shards -OutFile $merged", variables);
        var existsError = Assert.Single(exists.Errors);
        Assert.StartsWith("OutputFileExists,", existsError.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, existsError.CategoryInfo.Category);
        Assert.Equal(run.Combine("merged.h5"), existsError.TargetObject);
        Assert.Equal("keep me", File.ReadAllText(run.Combine("merged.h5")));

        var overlap = CaughtTerminatingError("Merge-LossSurface ($shards + $whole) -OutFile $merged -Force");
        Assert.StartsWith("SurfaceShardsOverlap,", overlap.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, overlap.CategoryInfo.Category);
        Assert.Equal(run.Combine("whole.h5"), overlap.TargetObject);
        Assert.Contains($"'{shards[0]}' and '{run.Combine("whole.h5")}' both hold point 0", overlap.Exception.Message, StringComparison.Ordinal);

        var gap = CaughtTerminatingError("Merge-LossSurface $shards[0..2] -OutFile $merged -Force");
        Assert.StartsWith("SurfaceShardsIncomplete,", gap.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, gap.CategoryInfo.Category);
        Assert.Equal(shards[..3], (string[])gap.TargetObject);
        Assert.Contains("4 of the 16 points are in none of the 3 file(s)", gap.Exception.Message, StringComparison.Ordinal);

        var missing = shell.Invoke("try { Merge-LossSurface $shards[0], \"$dir/nowhere.h5\" -OutFile $merged -Force } catch { $_ }", variables);
        var notFound = Assert.Single(missing.Errors);
        Assert.StartsWith("SurfaceFileInvalid,", notFound.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, notFound.CategoryInfo.Category);
        Assert.StartsWith("SurfaceShardsIncomplete,", Assert.IsType<ErrorRecord>(Assert.Single(missing.Output).BaseObject).FullyQualifiedErrorId);
        Assert.Equal("keep me", File.ReadAllText(run.Combine("merged.h5")));

        File.Move(shards[1], run.Combine("shard-1-default.h5"));
        shell.Invoke($"{Surface} -ShardIndex 1 -ShardCount 4 -OutFile \"$dir/shard-1.h5\" -BatchSize 64", variables).ShouldSucceed();
        var disagree = CaughtTerminatingError("Merge-LossSurface $shards -OutFile $merged -Force");
        Assert.StartsWith("SurfaceShardsDisagree,", disagree.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, disagree.CategoryInfo.Category);
        Assert.Equal(shards[1], disagree.TargetObject);
        Assert.Contains($"batchSize: 64 in '{shards[1]}'", disagree.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(run.Combine("merged.h5")));

        var allowed = shell.Invoke("Merge-LossSurface $shards[0], $shards[2], $shards[3] -OutFile $merged -Force -AllowGaps -PassThru -WarningVariable w -WarningAction SilentlyContinue; \"$w\"", variables).ShouldSucceed();
        Assert.Equal(2, allowed.Output.Count);
        Assert.StartsWith("4 of the 16 points are in none of the files", allowed.Output[1].ToString(), StringComparison.Ordinal);
        var partial = allowed.Output[0];
        Assert.Equal(12, partial.Properties["ComputedCount"].Value);
        Assert.False((bool)partial.Properties["IsComplete"].Value);
    }
}
