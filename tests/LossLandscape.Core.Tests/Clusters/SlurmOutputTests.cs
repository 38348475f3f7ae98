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
}
