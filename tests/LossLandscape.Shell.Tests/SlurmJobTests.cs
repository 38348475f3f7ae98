using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace LossLandscape.Shell.Tests;

/// <summary>
/// Surfaces computed on a real one-node Slurm cluster through the built shell: Start-LossSurfaceJob
/// submits four array tasks and the merge job, and the merged file equals one process's byte for
/// byte, also after a task was cancelled mid-run and Resume-LossSurfaceJob resubmitted it.
/// </summary>
public sealed class SlurmJobTests(SlurmCluster cluster, ITestOutputHelper output) : IClassFixture<SlurmCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private const string Report = "ForEach-Object { 'job {0}|{1}|{2}/{3}' -f $_.State, ($_.IncompleteShards -join ','), $_.PointsDone, $_.PointCount }";

    [LinuxFact]
    public void FourArrayTasksAndTheMergeGiveTheBytesOfOneProcess()
    {
        var clock = Stopwatch.StartNew();
        var job = Shell($"Import-Checkpoint ckpt/epoch-001.dat | Start-LossSurfaceJob -JobFolder job1 -ShardCount 4 -Steps 7 -MaxSamples 200 | Out-Null; Wait-LossSurfaceJob job1 -PollSeconds 0.5 | {Report}");
        var slurmSeconds = clock.Elapsed.TotalSeconds;
        Assert.Contains("job Completed||49/49", job.StdOut);

        clock.Restart();
        OneProcess("job1", "-Steps 7 -MaxSamples 200", "single1.h5");
        output.WriteLine($"4 array tasks + merge: {slurmSeconds:F1} s (submission to merged file); one process: {clock.Elapsed.TotalSeconds:F1} s.");
        Assert.Equal(Bytes("single1.h5"), Bytes("job1/surface.h5"));
        // Each task ran its own shard with the threads of its allocation.
        for (var k = 0; k < 4; k++) Assert.Contains($"shard {k}: job ", File.ReadAllText(Path.Combine(cluster.Folder, "job1", "logs", $"shard-{k}.log")));
        Assert.Contains("1 worker(s) × 1 thread(s)", File.ReadAllText(Path.Combine(cluster.Folder, "job1", "logs", "shard-0.log")));
    }

    [LinuxFact]
    public void ATaskCancelledMidRunIsResubmittedAndTheMergeStillGivesTheBytesOfOneProcess()
    {
        // 441 points of all 1,442 training images. On 2 CPUs tasks 0 and 1 run first, so task 3
        // starts seconds after submission (the test is watching by then) and computes its 110 points
        // for seconds: time enough to see its first point and cancel it mid-run.
        const int cancelled = 3;
        var start = Shell("Import-Checkpoint ckpt/epoch-001.dat | Start-LossSurfaceJob -JobFolder job2 -ShardCount 4 -Steps 21 | Out-Null");
        Assert.True(start.ExitCode == 0, start.StdErr);
        var arrayId = Manifest("job2").GetProperty("Arrays")[0].GetProperty("JobId").GetString();
        var firstMerge = Manifest("job2").GetProperty("MergeJobId").GetString()!;

        WaitForFirstPoint(Path.Combine(cluster.Folder, "job2", $"shard-{cancelled}.h5.journal"));
        cluster.Client("scancel", $"{arrayId}_{cancelled}");

        var stuck = Shell($"Wait-LossSurfaceJob job2 -PollSeconds 0.5 | {Report}");
        Assert.Contains($"job Incomplete|{cancelled}|", stuck.StdOut);
        Assert.Contains("SurfaceJobIncomplete", stuck.StdErr);
        Assert.False(File.Exists(Path.Combine(cluster.Folder, "job2", "surface.h5")), "the merge ran on an incomplete shard");

        var resumed = Shell($"Resume-LossSurfaceJob job2 -Verbose | Out-Null; Wait-LossSurfaceJob job2 -PollSeconds 0.5 | {Report}");
        Assert.Contains("job Completed||441/441", resumed.StdOut);
        Assert.Contains($"Resubmitted shard(s) {cancelled} as array job", resumed.StdErr);
        // The stale merge (afterok on a cancelled task never releases) was cancelled, not left pending.
        Assert.Contains("JobState=CANCELLED", cluster.Client("scontrol", "show", "job", "-o", firstMerge));
        Assert.Equal(2, Manifest("job2").GetProperty("Arrays").GetArrayLength());
        // The resubmitted task resumed from its own file instead of starting over.
        Assert.Contains("Resuming:", File.ReadAllText(Path.Combine(cluster.Folder, "job2", "logs", $"shard-{cancelled}.log")));

        OneProcess("job2", "-Steps 21", "single2.h5");
        Assert.Equal(Bytes("single2.h5"), Bytes("job2/surface.h5"));
    }

    private ShellResult Shell(string command)
    {
        var result = ShellProcess.RunWithEnvironment(cluster.Folder, Patience, cluster.Environment, "-Command", command);
        output.WriteLine(result.StdOut);
        return result;
    }

    /// <summary>The same surface in this one process, along the directions the job saved.</summary>
    private void OneProcess(string jobFolder, string grid, string outFile)
    {
        var single = Shell($"$c = Import-Checkpoint ckpt/epoch-001.dat; $d = Import-LandscapeDirection {jobFolder}/directions.h5 -Checkpoint $c; $c | Get-LossSurface -Direction $d {grid} -OutFile {outFile} | Out-Null");
        Assert.True(single.ExitCode == 0, single.StdErr);
    }

    /// <summary>Waits until the journal holds at least one finished point: it is longer than its header (magic, version, metadata length, metadata).</summary>
    private static void WaitForFirstPoint(string journal)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (File.Exists(journal))
            {
                using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var header = new byte[12];
                if (stream.Length >= header.Length)
                {
                    stream.ReadExactly(header);
                    if (stream.Length > header.Length + BitConverter.ToInt32(header, 8)) return;
                }
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException($"{journal} got no finished point.");
    }

    private JsonElement Manifest(string jobFolder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster.Folder, jobFolder, "job.json"))).RootElement;

    private byte[] Bytes(string file) => File.ReadAllBytes(Path.Combine(cluster.Folder, file));
}
