using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Clusters;

/// <summary>Where a sharded surface job stands.</summary>
public enum SurfaceJobState
{
    /// <summary>Array tasks wait for resources.</summary>
    Pending,

    /// <summary>At least one array task is computing.</summary>
    Running,

    /// <summary>All shards are complete; the merge job waits or runs.</summary>
    Merging,

    /// <summary>The merged surface file exists.</summary>
    Completed,

    /// <summary>No task is left to run but some shards are incomplete (a task was cancelled, failed or timed out): the merge cannot run. Resume-LossSurfaceJob resubmits them.</summary>
    Incomplete,

    /// <summary>All shards are complete but the merge job ended without writing the surface (see logs/merge.log).</summary>
    MergeFailed,

    /// <summary>The scheduler could not be asked; only the files were read.</summary>
    Unknown,
}

/// <summary>One shard's progress, from its file and journal.</summary>
public sealed record ShardProgress(int Index, string File, int Done, int Total)
{
    public bool IsComplete => Done == Total;
}

/// <summary>A job's progress from its shard files and, when it can be asked, the scheduler's queue.</summary>
public sealed record SurfaceJobStatus(
    SurfaceJobState State,
    IReadOnlyList<ShardProgress> Shards,
    IReadOnlyList<SlurmQueueEntry> ActiveTasks,
    SlurmJobRecord? Merge,
    string? SchedulerProblem)
{
    public int PointsDone => Shards.Sum(s => s.Done);

    public IReadOnlyList<int> IncompleteShards => Shards.Where(s => !s.IsComplete).Select(s => s.Index).ToArray();

    /// <summary>Reads the shard files and asks <paramref name="scheduler"/> (null: it is unavailable, for the reason <paramref name="schedulerProblem"/>).</summary>
    public static SurfaceJobStatus Read(SlurmJobManifest manifest, ISlurmScheduler? scheduler, string? schedulerProblem = null)
    {
        var shards = Enumerable.Range(0, manifest.ShardCount).Select(k => ReadShard(manifest, k)).ToArray();
        var outFileExists = File.Exists(manifest.OutFile);
        if (scheduler is null) return new(outFileExists ? SurfaceJobState.Completed : SurfaceJobState.Unknown, shards, [], null, schedulerProblem);

        IReadOnlyList<SlurmQueueEntry> queue;
        SlurmJobRecord? merge;
        try
        {
            queue = scheduler.Queue(manifest.Arrays.Select(a => a.JobId).Distinct().ToArray());
            merge = scheduler.Show(manifest.MergeJobId);
        }
        catch (SchedulerCommandException e)
        {
            return new(outFileExists ? SurfaceJobState.Completed : SurfaceJobState.Unknown, shards, [], null, e.Message);
        }
        // Only each shard's latest task counts: an older submission's task of the same shard was replaced.
        var active = queue.Where(t => t.ArrayTaskId is { } k && k < manifest.ShardCount && manifest.LatestTaskOf(k) == $"{t.ArrayJobId}_{k}").ToArray();
        return new(Decide(shards, active, merge, outFileExists), shards, active, merge, null);
    }

    private static SurfaceJobState Decide(IReadOnlyList<ShardProgress> shards, IReadOnlyList<SlurmQueueEntry> active, SlurmJobRecord? merge, bool outFileExists)
    {
        var mergeActive = merge?.IsActive == true;
        if (outFileExists && !mergeActive) return SurfaceJobState.Completed;
        if (active.Count > 0) return active.Any(t => t.IsRunning) ? SurfaceJobState.Running : SurfaceJobState.Pending;
        // afterok on a task that did not succeed never releases: the merge would wait forever.
        if (merge is { Reason: "DependencyNeverSatisfied" }) return SurfaceJobState.Incomplete;
        if (shards.All(s => s.IsComplete)) return mergeActive ? SurfaceJobState.Merging : outFileExists ? SurfaceJobState.Completed : SurfaceJobState.MergeFailed;
        return SurfaceJobState.Incomplete;
    }

    private static ShardProgress ReadShard(SlurmJobManifest manifest, int index)
    {
        var file = manifest.ShardFiles[index];
        var shard = new SurfaceShard(index, manifest.ShardCount);
        // Slot k·PointCount + i is point i of direction draw k; one draw has only draw 0's.
        var total = shard.PointCount(manifest.PointCount) * (manifest.DirectionCount ?? 1);
        bool Owns(int slot) => shard.Owns(slot % manifest.PointCount);
        var done = new HashSet<int>();
        try
        {
            if (File.Exists(file))
            {
                var result = SurfaceStore.Read(file);
                var slots = result.Members?.Computed ?? result.Computed;
                for (var slot = 0; slot < slots.Length; slot++)
                    if (slots[slot] && Owns(slot)) done.Add(slot);
            }
            var journal = SurfaceJournal.PathFor(file);
            if (File.Exists(journal)) done.UnionWith(SurfaceJournal.FinishedPoints(journal).Where(Owns));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // A file being replaced right now (the engine renames its output into place) reads as nothing new: the next poll sees it.
        }
        return new ShardProgress(index, file, Math.Min(done.Count, total), total);
    }
}
