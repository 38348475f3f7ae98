using System.Management.Automation;
using LossLandscape.Core.Clusters;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Base of the cmdlets that follow a surface job from its folder (job.json, the shard files) and the scheduler.</summary>
public abstract class SurfaceJobCmdlet : PSCmdlet
{
    /// <summary>The job's folder (-JobFolder of Start-LossSurfaceJob); binds from a job object by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string[] JobFolder { get; set; } = [];

    private ISlurmScheduler? scheduler;
    private string? schedulerProblem;

    /// <summary>Slurm's commands, or null (with the reason kept for the job objects) where they are not on PATH.</summary>
    protected ISlurmScheduler? Scheduler
    {
        get
        {
            if (scheduler is not null || schedulerProblem is not null) return scheduler;
            try
            {
                scheduler = new SlurmCli();
            }
            catch (SchedulerUnavailableException e)
            {
                schedulerProblem = e.Message;
            }
            return scheduler;
        }
    }

    protected string? SchedulerProblem => schedulerProblem;

    /// <summary>The folders of -JobFolder with their manifests; an error (SurfaceJobNotFound) for each folder that holds no job.</summary>
    protected IEnumerable<(string Folder, SlurmJobManifest Manifest)> Jobs()
    {
        foreach (var given in JobFolder)
        {
            var folder = GetUnresolvedProviderPathFromPSPath(given);
            SlurmJobManifest manifest;
            try
            {
                manifest = SlurmJobManifest.Read(folder);
            }
            catch (FileNotFoundException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.SurfaceJobNotFound, ErrorCategory.ObjectNotFound, given));
                continue;
            }
            catch (InvalidDataException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.SurfaceJobNotFound, ErrorCategory.InvalidData, given));
                continue;
            }
            yield return (folder, manifest);
        }
    }

    protected LossSurfaceJob Describe(string folder, SlurmJobManifest manifest) =>
        new(folder, manifest, SurfaceJobStatus.Read(manifest, Scheduler, SchedulerProblem));
}
