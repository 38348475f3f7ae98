using System.Management.Automation;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Reports a surface job: points done from its shard files and journals, its pending and running
/// tasks from squeue, the merge job from scontrol (no sacct: small clusters often run no accounting
/// daemon). Without Slurm's commands it reports from the files alone (State Unknown unless finished).
/// </summary>
[Cmdlet(VerbsCommon.Get, "LossSurfaceJob")]
[OutputType(typeof(LossSurfaceJob))]
public sealed class GetLossSurfaceJobCommand : SurfaceJobCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var (folder, manifest) in Jobs())
        {
            var job = Describe(folder, manifest);
            if (job.SchedulerProblem is not null) WriteWarning($"{job.SchedulerProblem} Progress comes from the files alone.");
            WriteObject(job);
        }
    }
}
