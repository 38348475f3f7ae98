using System.Management.Automation;
using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Clusters;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Computes one surface on a Slurm cluster: saves the directions once and writes the job's spec.json
/// and its two fixed batch scripts into -JobFolder, submits an array of tasks (task k computes shard k
/// into its own file through Invoke-LossSurfaceTask) and a merge job that waits for them (afterok),
/// and emits the job. Every option reaches sbatch as an argument of its own, never as script text.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LossSurfaceJob", SupportsShouldProcess = true)]
[OutputType(typeof(LossSurfaceJob))]
public sealed class StartLossSurfaceJobCommand : SurfaceCmdlet
{
    /// <summary>The folder of the job: spec, scripts, directions, shard files, logs, job.json. Created if missing.</summary>
    [Parameter(Mandatory = true)]
    public string JobFolder { get; set; } = null!;

    [Parameter]
    public JobScheduler Scheduler { get; set; } = JobScheduler.Slurm;

    /// <summary>
    /// Array tasks (shards); task k computes the grid points whose index mod -ShardCount is k. Named
    /// like Get-LossSurface -ShardCount and the job's ShardCount; -Shards still binds.
    /// </summary>
    [Parameter(Mandatory = true)]
    [Alias("Shards")]
    [ValidateRange(1, 100_000)]
    public int ShardCount { get; set; }

    [Parameter]
    public string? Partition { get; set; }

    /// <summary>CPUs per array task; each task evaluates that many points at once.</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int CpusPerTask { get; set; } = 1;

    /// <summary>Per task, in Slurm's syntax (minutes, HH:MM:SS, D-HH:MM…).</summary>
    [Parameter]
    public string? TimeLimit { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Gpus { get; set; }

    /// <summary>More sbatch options for the shard and merge submissions, e.g. '--mem=8G', '--account=lab'.</summary>
    [Parameter]
    public string[] SbatchArgument { get; set; } = [];

    [Parameter]
    public string JobName { get; set; } = "losslandscape";

    /// <summary>The merged surface file (default surface.h5 in -JobFolder).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>What the tasks run: the built shell (losslandscape or losslandscape.dll) or pwsh. Default: this process when it is one of them, else losslandscape, then pwsh, on PATH.</summary>
    [Parameter]
    public string? ShellPath { get; set; }

    /// <summary>Replace a job folder that already holds a job (its spec, scripts and manifest; shard files of other settings are refused by the tasks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The device is the compute nodes' (cuda with -Gpus is the GPU Slurm assigns), so it need not exist here.</summary>
    protected override bool ComputesHere => false;

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(JobFolder);
        var outFile = OutFile is null ? Path.Combine(folder, "surface.h5") : GetUnresolvedProviderPathFromPSPath(OutFile);
        if (File.Exists(SlurmJobManifest.PathIn(folder)) && !Force)
        {
            WriteError(new IOException($"'{folder}' already holds a surface job; follow it with Get-LossSurfaceJob, resubmit its missing shards with Resume-LossSurfaceJob, or use -Force to replace it."), ErrorIds.SurfaceJobExists, ErrorCategory.ResourceExists, folder);
            return;
        }
        if (FirstInputProblem() is { } inputProblem)
        {
            WriteError(inputProblem);
            return;
        }
        var runner = TaskRunner.Find(ShellPath is null ? null : GetUnresolvedProviderPathFromPSPath(ShellPath));
        if (runner is null)
        {
            var problem = ShellPath is null
                ? "The tasks run the built LossLandscape shell or pwsh, and this process is neither and none is on PATH: give -ShellPath (src/LossLandscape.Shell/bin/Release/net10.0/losslandscape after a build, or pwsh)."
                : $"-ShellPath '{ShellPath}' does not exist.";
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(problem), ErrorIds.ShellNotFound, ErrorCategory.ObjectNotFound, ShellPath));
        }

        SurfaceJobSpec job;
        try
        {
            job = new SurfaceJobSpec
            {
                Surface = BindSurface(Checkpoint.Info),
                ShardCount = ShardCount,
                OutFile = outFile,
                Run = new RunOptions { Device = SelectedDevice, Workers = CpusPerTask, ThreadsPerPoint = ThreadCount },
                Resources = new SlurmResources { JobName = JobName, Partition = Partition, CpusPerTask = CpusPerTask, TimeLimit = TimeLimit, Gpus = Gpus, ExtraSbatchArguments = SbatchArgument },
                Runner = runner!,
            };
            job.Validate();
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.SurfaceArgumentInvalid, Checkpoint));
            return;
        }

        var directionFile = Path.Combine(folder, SurfaceJobSpec.DirectionFileName);
        var arrayArguments = SlurmSubmission.ShardArguments(folder, job, Enumerable.Range(0, ShardCount).ToArray());
        if (!ShouldProcess(folder, $"Submit {ShardCount} Slurm array task(s) and a merge job for {Checkpoint.Name}"))
        {
            // -WhatIf shows what would be written and submitted; each sbatch argument is one JSON string.
            Host.UI.WriteLine($"# {SurfaceJobSpec.PathIn(folder)} (the directions saved to {directionFile})\n{System.Text.Encoding.UTF8.GetString(job.ToJson())}");
            Host.UI.WriteLine($"# {Path.Combine(folder, SurfaceJobSpec.ShardBatchScriptName)}\n{SlurmSubmission.ShardBatchScript}");
            Host.UI.WriteLine($"# {Path.Combine(folder, SurfaceJobSpec.MergeBatchScriptName)}\n{SlurmSubmission.MergeBatchScript}");
            Host.UI.WriteLine($"sbatch --parsable {JsonSerializer.Serialize(arrayArguments)}");
            Host.UI.WriteLine($"sbatch --parsable {JsonSerializer.Serialize(SlurmSubmission.MergeArguments(folder, job, ["<array job id>"]))}");
            return;
        }

        ISlurmScheduler scheduler;
        try
        {
            scheduler = new SlurmCli();
        }
        catch (SchedulerUnavailableException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SchedulerUnavailable, ErrorCategory.ResourceUnavailable, Scheduler));
            return;
        }

        EnsureRuntime();
        try
        {
            Directory.CreateDirectory(folder);
            job = job with { Surface = job.Surface with { Directions = SaveDirections(directionFile, job.Surface) } };
            job.Write(folder);
            SlurmSubmission.WriteScripts(folder);
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.DirectionInvalid, Checkpoint));
            return;
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.DirectionInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, folder);
            return;
        }

        SlurmJobManifest manifest;
        try
        {
            var arrayId = scheduler.Submit(arrayArguments);
            WriteVerbose($"Submitted array job {arrayId} (tasks 0-{ShardCount - 1}).");
            var mergeId = scheduler.Submit(SlurmSubmission.MergeArguments(folder, job, [arrayId]));
            WriteVerbose($"Submitted merge job {mergeId} (afterok:{arrayId}).");
            manifest = SlurmJobManifest.For(folder, job, arrayId, mergeId);
            manifest.Write(folder);
        }
        catch (SchedulerCommandException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SchedulerCommandFailed, ErrorCategory.InvalidOperation, folder));
            return;
        }
        WriteObject(new LossSurfaceJob(folder, manifest, SurfaceJobStatus.Read(manifest, scheduler)));
    }

    /// <summary>The directions, made once here and read by every task from their file, so no task depends on rebuilding them identically.</summary>
    private IReadOnlyList<DirectionSource> SaveDirections(string file, SurfaceSpec surface)
    {
        var checkpoint = Checkpoint.Info;
        var directions = surface.Directions.Select(d => d.Resolve(Runtime, checkpoint)).ToArray();
        DirectionStore.Write(file, ParameterLayout.Of(Runtime, checkpoint), directions);
        WriteVerbose($"Directions written to {file}.");
        return directions.Select(d => new DirectionSource { Recipe = d.Recipe, Sha256 = d.Sha256, FilePath = file }).ToArray();
    }
}
