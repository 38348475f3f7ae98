using System.Diagnostics;
using System.Management.Automation;
using LossLandscape.Core.Clusters;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Waits until a surface job has finished (Completed) or can go no further without help
/// (Incomplete, MergeFailed), showing progress, and emits the job. A job that did not complete is
/// also an error (SurfaceJobIncomplete) naming its unfinished shards.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "LossSurfaceJob")]
[OutputType(typeof(LossSurfaceJob))]
public sealed class WaitLossSurfaceJobCommand : SurfaceJobCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Seconds between looks at the files and the queue.</summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double PollSeconds { get; set; } = 5;

    /// <summary>Give up after this many seconds (default: wait as long as it takes).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? TimeoutSeconds { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (folder, manifest) in Jobs())
        {
            if (Scheduler is null)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"{SchedulerProblem} Without it the job's end cannot be told."), ErrorIds.SchedulerUnavailable, ErrorCategory.ResourceUnavailable, folder));
            }
            var job = WaitFor(folder, manifest);
            if (job is null) return;
            WriteObject(job);
            if (job.State != nameof(SurfaceJobState.Completed))
            {
                var why = job.State == nameof(SurfaceJobState.MergeFailed)
                    ? $"every shard is complete but the merge job {job.MergeJobId} wrote no surface: see {Path.Combine(folder, "logs", "merge.log")}"
                    : $"shard(s) {string.Join(", ", job.IncompleteShards)} are incomplete ({job.PointsDone} of {job.PointCount} points) and no task is left to finish them; Resume-LossSurfaceJob resubmits them";
                WriteError(new ErrorRecord(new InvalidOperationException($"The surface job in '{folder}' ended {job.State}: {why}."), ErrorIds.SurfaceJobIncomplete, ErrorCategory.OperationStopped, job));
            }
        }
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    private LossSurfaceJob? WaitFor(string folder, SlurmJobManifest manifest)
    {
        var clock = Stopwatch.StartNew();
        var progress = new ProgressRecord(1, $"Surface job {manifest.Arrays[^1].JobId}", "Waiting");
        try
        {
            while (true)
            {
                var job = Describe(folder, manifest);
                progress.StatusDescription = $"{job.State} · {job.PointsDone}/{job.PointCount} points · {job.ActiveTasks.Length} task(s) queued or running";
                progress.PercentComplete = (int)(100L * job.PointsDone / Math.Max(1, job.PointCount));
                WriteProgress(progress);
                if (job.State is nameof(SurfaceJobState.Completed) or nameof(SurfaceJobState.Incomplete) or nameof(SurfaceJobState.MergeFailed)) return job;
                if (job.State == nameof(SurfaceJobState.Unknown))
                {
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(job.SchedulerProblem), ErrorIds.SchedulerCommandFailed, ErrorCategory.ResourceUnavailable, folder));
                }
                if (TimeoutSeconds is { } timeout && clock.Elapsed.TotalSeconds >= timeout)
                {
                    WriteError(new ErrorRecord(new TimeoutException($"The surface job in '{folder}' is still {job.State} after {timeout} s ({job.PointsDone} of {job.PointCount} points)."), ErrorIds.SurfaceJobIncomplete, ErrorCategory.OperationTimeout, job));
                    return null;
                }
                if (stopping.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(PollSeconds))) throw new PipelineStoppedException();
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
