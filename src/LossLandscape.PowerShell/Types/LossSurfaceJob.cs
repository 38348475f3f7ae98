using LossLandscape.Core.Clusters;

namespace LossLandscape.PowerShell.Types;

/// <summary>A surface computed as a Slurm job array plus a merge job, as its job folder and the scheduler report it.</summary>
public sealed class LossSurfaceJob
{
    internal LossSurfaceJob(string jobFolder, SlurmJobManifest manifest, SurfaceJobStatus status)
    {
        JobFolder = jobFolder;
        State = status.State.ToString();
        ArrayJobId = manifest.Arrays[^1].JobId;
        ArrayJobIds = manifest.Arrays.Select(a => a.JobId).ToArray();
        MergeJobId = manifest.MergeJobId;
        ShardCount = manifest.ShardCount;
        PointCount = manifest.PointCount * (manifest.DirectionCount ?? 1);
        PointsDone = status.PointsDone;
        IncompleteShards = status.IncompleteShards.ToArray();
        ActiveTasks = status.ActiveTasks.Select(t => $"{t.ArrayJobId}_{t.ArrayTaskId} {t.State}{(t.Reason is "None" ? "" : $" ({t.Reason})")}").ToArray();
        MergeState = status.Merge is { } merge ? $"{merge.State}{(merge.Reason is "None" ? "" : $" ({merge.Reason})")}" : null;
        SchedulerProblem = status.SchedulerProblem;
        ShardFiles = manifest.ShardFiles.ToArray();
        OutFile = manifest.OutFile;
    }

    public string JobFolder { get; }

    /// <summary>Pending, Running, Merging, Completed, Incomplete (Resume-LossSurfaceJob resubmits), MergeFailed or Unknown (the scheduler could not be asked).</summary>
    public string State { get; }

    /// <summary>The latest submission of array tasks.</summary>
    public string ArrayJobId { get; }

    /// <summary>Every submission of array tasks, the first one first.</summary>
    public string[] ArrayJobIds { get; }

    public string MergeJobId { get; }

    public int ShardCount { get; }

    /// <summary>The grid's points in every direction draw (-DirectionCount).</summary>
    public int PointCount { get; }

    /// <summary>Points finished in the shard files and journals.</summary>
    public int PointsDone { get; }

    public int[] IncompleteShards { get; }

    /// <summary>Pending and running array tasks as squeue lists them ("arrayId_task STATE (reason)").</summary>
    public string[] ActiveTasks { get; }

    /// <summary>The merge job's state as scontrol shows it; empty once Slurm has forgotten the job.</summary>
    public string? MergeState { get; }

    /// <summary>Why the scheduler could not be asked, when it could not.</summary>
    public string? SchedulerProblem { get; }

    public string[] ShardFiles { get; }

    /// <summary>The merged surface file.</summary>
    public string OutFile { get; }

    public override string ToString() => $"{State}: {PointsDone}/{PointCount} points in {ShardCount} shards (array {ArrayJobId}, merge {MergeJobId}) → {OutFile}";
}
