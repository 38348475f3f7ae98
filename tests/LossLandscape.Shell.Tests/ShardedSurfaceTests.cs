namespace LossLandscape.Shell.Tests;

/// <summary>One surface computed as shards by separate shell processes at once (as a job array would), then merged.</summary>
public sealed class ShardedSurfaceTests : IDisposable
{
    private const string Surface = "Import-Checkpoint ckpt/epoch-001.dat | Get-LossSurface -Steps 7 -MaxSamples 200 -ThrottleLimit 1 -Verbose";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-shards-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void FourShardProcessesMergeIntoTheFileOfOneRunByteForByte()
    {
        var train = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 400 -Seed 5 -OutputDirectory ckpt | Out-Null");
        Assert.True(train.ExitCode == 0, train.StdErr);

        var shards = ShellProcess.RunConcurrentlyIn(folder.FullName, TimeSpan.FromMinutes(3),
            Enumerable.Range(0, 4).Select(k => new[] { "-Command", $"{Surface} -ShardIndex {k} -ShardCount 4 -OutFile shard-{k}.h5 | Out-Null" }));
        for (var k = 0; k < 4; k++)
        {
            Assert.True(shards[k].ExitCode == 0, shards[k].StdErr);
            // 49 points: shards 0 to 3 own 13, 12, 12 and 12 of them.
            Assert.Contains($"shard {k} of 4: {(k == 0 ? 13 : 12)} of the grid's 49 points", shards[k].StdErr);
        }

        var merge = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(1), "-Command", "Merge-LossSurface -Path shard-*.h5 -OutFile merged.h5 -Verbose");
        Assert.True(merge.ExitCode == 0, merge.StdErr);
        Assert.Contains("Merged 4 file(s), 49 of 49 points", merge.StdErr);

        var single = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", $"{Surface} -OutFile single.h5 | Out-Null");
        Assert.True(single.ExitCode == 0, single.StdErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.FullName, "single.h5")), File.ReadAllBytes(Path.Combine(folder.FullName, "merged.h5")));
    }
}
