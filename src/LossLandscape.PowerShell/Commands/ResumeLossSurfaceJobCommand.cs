using System.Management.Automation;
using LossLandscape.Core.Clusters;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Finishes a surface job whose tasks died (cancelled, failed, out of time): resubmits only the
/// shards whose files are incomplete and that no task is working on (--array=1,3; each resumes
/// from its own file), cancels the merge job that can no longer start (an afterok dependency on a
/// task that did not succeed never releases) and submits a new one after the new tasks.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "LossSurfaceJob", SupportsShouldProcess = true)]
[OutputType(typeof(LossSurfaceJob))]
public sealed class ResumeLossSurfaceJobCommand : SurfaceJobCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var (folder, manifest) in Jobs())
        {
            if (Scheduler is not { } scheduler)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(SchedulerProblem), ErrorIds.SchedulerUnavailable, ErrorCategory.ResourceUnavailable, folder));
                return;
            }
            var status = SurfaceJobStatus.Read(manifest, scheduler);
            if (status.SchedulerProblem is not null)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(status.SchedulerProblem), ErrorIds.SchedulerCommandFailed, ErrorCategory.ResourceUnavailable, folder));
                continue;
            }
            var working = status.ActiveTasks.Select(t => t.ArrayTaskId!.Value).ToHashSet();
            var resubmit = status.IncompleteShards.Where(k => !working.Contains(k)).ToArray();
            // Tasks still queued or running will finish their shards and the merge job still waits for them.
            if (status.State is SurfaceJobState.Completed || resubmit.Length == 0 && status.State is not (SurfaceJobState.Incomplete or SurfaceJobState.MergeFailed))
            {
                WriteWarning($"The surface job in '{folder}' is {status.State}: nothing to resubmit.");
                WriteObject(new LossSurfaceJob(folder, manifest, status));
                continue;
            }

            var description = resubmit.Length == 0 ? "Submit a new merge job" : $"Resubmit shard(s) {string.Join(",", resubmit)} and a new merge job";
            if (!ShouldProcess(folder, description)) continue;

            try
            {
                var spec = SurfaceJobSpec.Read(folder);
                if (status.Merge?.IsActive == true)
                {
                    scheduler.Cancel(manifest.MergeJobId);
                    WriteVerbose($"Cancelled merge job {manifest.MergeJobId} ({status.Merge.State}, {status.Merge.Reason}).");
                }
                var arrays = manifest.Arrays.ToList();
                var dependencies = status.ActiveTasks.Select(t => $"{t.ArrayJobId}_{t.ArrayTaskId}").ToList();
                if (resubmit.Length > 0)
                {
                    var arrayId = scheduler.Submit(SlurmSubmission.ShardArguments(folder, spec, resubmit));
                    WriteVerbose($"Resubmitted shard(s) {string.Join(",", resubmit)} as array job {arrayId}.");
                    arrays.Add(new SlurmArraySubmission(arrayId, resubmit));
                    dependencies.Add(arrayId);
                }
                var mergeId = scheduler.Submit(SlurmSubmission.MergeArguments(folder, spec, dependencies));
                WriteVerbose($"Submitted merge job {mergeId}{(dependencies.Count == 0 ? "" : $" (afterok:{string.Join(":", dependencies)})")}.");
                var resumed = manifest with { Arrays = arrays, MergeJobId = mergeId };
                resumed.Write(folder);
                WriteObject(Describe(folder, resumed));
            }
            catch (SchedulerCommandException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.SchedulerCommandFailed, ErrorCategory.InvalidOperation, folder));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
            {
                WriteError(new ErrorRecord(e, ErrorIds.SurfaceJobNotFound, ErrorCategory.InvalidData, folder));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, folder));
            }
        }
    }
}
