using LossLandscape.Core.Clusters;

namespace LossLandscape.Core.Tests.Clusters;

/// <summary>What Slurm 22.05's client commands print, as seen on a one-node cluster, parsed without one.</summary>
public sealed class SlurmOutputTests
{
    [Fact]
    public void SbatchParsableGivesTheJobIdWithOrWithoutACluster()
    {
        Assert.Equal("5", SlurmOutput.ParseSubmission("5\n"));
        Assert.Equal("812", SlurmOutput.ParseSubmission("812;gpu-cluster\n"));
        Assert.Throws<SchedulerCommandException>(() => SlurmOutput.ParseSubmission("sbatch: error: Batch job submission failed\n"));
    }

    [Fact]
    public void SqueueListsEachArrayTaskAndTheMergeJob()
    {
        var entries = SlurmOutput.ParseQueue("1|1|2|PENDING|Resources\n2|2|N/A|PENDING|DependencyNeverSatisfied\n3|1|0|RUNNING|None\n");
        Assert.Equal(3, entries.Count);
        Assert.Equal(new SlurmQueueEntry("1", "1", 2, "PENDING", "Resources"), entries[0]);
        Assert.Null(entries[1].ArrayTaskId);
        Assert.True(entries[2].IsRunning);
        Assert.False(entries[0].IsRunning);
    }

    [Fact]
    public void ScontrolShowsTheMergeJobsStateReasonAndDependency()
    {
        var record = SlurmOutput.ParseShowJob("JobId=2 JobName=wrap UserId=root(0) JobState=PENDING Reason=DependencyNeverSatisfied Dependency=afterok:1_*(failed) Requeue=1 TRES=cpu=1,mem=8000M\n");
        Assert.Equal(new SlurmJobRecord("2", "PENDING", "DependencyNeverSatisfied", "afterok:1_*(failed)"), record);
        Assert.True(record!.IsActive);
        Assert.Null(SlurmOutput.ParseShowJob(""));
    }

    [Fact]
    public void TheShardScriptPinsThreadsResumesFromItsFileAndQuotesPaths()
    {
        var spec = new SlurmJobSpec
        {
            JobFolder = "/jobs/o'neil", ShardCount = 4, PointCount = 49, OutFile = "/jobs/o'neil/surface.h5",
            ShellCommand = ["/usr/bin/dotnet", "/opt/ll/losslandscape.dll"], ModulePath = "/opt/ll/module", CheckpointPath = "/ck/epoch-001.dat",
            SurfaceParameters = [new("XRange", new[] { -1.0, 0.5 }), new("XSteps", 7), new("FoldBatchNorm", true)],
            Partition = "gpu", Gpus = 1, CpusPerTask = 2, TimeLimit = "10:00",
        };
        var batch = SlurmScriptWriter.ShardBatch(spec);
        Assert.Contains("#SBATCH --requeue", batch);
        Assert.Contains("#SBATCH --open-mode=append", batch);
        Assert.Contains("#SBATCH --cpus-per-task=2", batch);
        Assert.Contains("#SBATCH --gres=gpu:1", batch);
        Assert.Contains("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"", batch);
        Assert.Contains("exec '/usr/bin/dotnet' '/opt/ll/losslandscape.dll' -Module '/opt/ll/module' -File '/jobs/o'\\''neil/shard.ps1' -ShardIndex \"${SLURM_ARRAY_TASK_ID}\"", batch);

        var script = SlurmScriptWriter.ShardPowerShell(spec);
        Assert.Contains("XRange = @(-1, 0.5)", script);
        Assert.Contains("FoldBatchNorm = $true", script);
        Assert.Contains("-ShardCount 4 -ThrottleLimit $Workers -OutFile ('/jobs/o''neil/shard-' + $ShardIndex + '.h5')", script);
        Assert.Contains("Merge-LossSurface -Path @('/jobs/o''neil/shard-0.h5', '/jobs/o''neil/shard-1.h5', '/jobs/o''neil/shard-2.h5', '/jobs/o''neil/shard-3.h5') -OutFile '/jobs/o''neil/surface.h5'", SlurmScriptWriter.MergePowerShell(spec));
    }
}
