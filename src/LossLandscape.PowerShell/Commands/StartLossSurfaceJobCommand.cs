using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Clusters;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Computes one surface on a Slurm cluster: saves the directions once, writes an sbatch array script
/// (task k runs Get-LossSurface -ShardIndex k through the built shell into its own shard file) and a
/// merge script, submits the array and a merge job that waits for it (afterok), and emits the job.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LossSurfaceJob", SupportsShouldProcess = true)]
[OutputType(typeof(LossSurfaceJob))]
public sealed class StartLossSurfaceJobCommand : LandscapeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>The folder of the job: scripts, directions, shard files, logs, job.json. Created if missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string JobFolder { get; set; } = null!;

    [Parameter]
    public JobScheduler Scheduler { get; set; } = JobScheduler.Slurm;

    /// <summary>Array tasks (shards); task k computes the grid points whose index mod -Shards is k.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(1, 100_000)]
    public int Shards { get; set; }

    [Parameter]
    [Rehydrate(typeof(LandscapeDirection))]
    public LandscapeDirection[]? Direction { get; set; }

    [Parameter]
    [ValidateRange(1, 2)]
    public int? Dimensions { get; set; }

    [Parameter]
    public long Seed { get; set; } = DirectionRecipe.DefaultSeed;

    [Parameter]
    public DirectionNormalization Normalization { get; set; } = DirectionNormalization.Filter;

    [Parameter]
    public SwitchParameter IgnoreBiasAndNorm { get; set; } = true;

    [Parameter]
    public SwitchParameter Orthogonalize { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int Steps { get; set; } = 51;

    [Parameter]
    [ValidateCount(2, 2)]
    public double[] Range { get; set; } = [-1, 1];

    [Parameter]
    [ValidateCount(2, 2)]
    public double[]? XRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? XSteps { get; set; }

    [Parameter]
    [ValidateCount(2, 2)]
    public double[]? YRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? YSteps { get; set; }

    [Parameter]
    public SurfaceSplit Split { get; set; } = SurfaceSplit.Train;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    [Parameter]
    public long SubsetSeed { get; set; }

    [Parameter]
    public LossFunction LossFunction { get; set; } = LossFunction.CrossEntropy;

    [Parameter]
    public SurfaceMetric Metric { get; set; } = SurfaceMetric.Loss;

    [Parameter]
    [ValidateRange(1e-12, 0.5)]
    public double? Tolerance { get; set; }

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = Evaluation.DefaultBatchSize;

    /// <summary>libtorch threads per point (default 1), as in Get-LossSurface; each task evaluates -CpusPerTask points at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThreadCount { get; set; } = 1;

    [Parameter]
    public SwitchParameter FoldBatchNorm { get; set; }

    [Parameter]
    public SwitchParameter AllowNonFinite { get; set; }

    /// <summary>cpu, cuda or cuda:N on the compute nodes; with -Gpus, cuda is the GPU Slurm assigned to the task.</summary>
    [Parameter]
    public string Device { get; set; } = ComputeDevice.Cpu.ToString();

    [Parameter]
    public string? Partition { get; set; }

    [Parameter]
    [ValidateRange(1, 4096)]
    public int CpusPerTask { get; set; } = 1;

    /// <summary>Per task, in Slurm's syntax (minutes, HH:MM:SS, D-HH:MM…).</summary>
    [Parameter]
    public string? TimeLimit { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Gpus { get; set; }

    /// <summary>More sbatch options for both scripts, e.g. '--mem=8G', '--account=lab'.</summary>
    [Parameter]
    public string[] SbatchArgument { get; set; } = [];

    [Parameter]
    public string JobName { get; set; } = "losslandscape";

    /// <summary>The merged surface file (default surface.h5 in -JobFolder).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>The built shell the tasks run: losslandscape or losslandscape.dll. Default: this shell, else losslandscape on PATH.</summary>
    [Parameter]
    public string? ShellPath { get; set; }

    /// <summary>Replace a job folder that already holds a job (its scripts and manifest; shard files of other settings are refused by the tasks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(JobFolder);
        var outFile = OutFile is null ? Path.Combine(folder, "surface.h5") : GetUnresolvedProviderPathFromPSPath(OutFile);
        if (File.Exists(SlurmJobManifest.PathIn(folder)) && !Force)
        {
            WriteError(new IOException($"'{folder}' already holds a surface job; follow it with Get-LossSurfaceJob, resubmit its missing shards with Resume-LossSurfaceJob, or use -Force to replace it."), ErrorIds.SurfaceJobExists, ErrorCategory.ResourceExists, folder);
            return;
        }
        try
        {
            ComputeDevice.Parse(Device);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.InvalidDevice, ErrorCategory.InvalidArgument, Device));
        }
        var shell = ShellLocator.Find(ShellPath is null ? null : GetUnresolvedProviderPathFromPSPath(ShellPath));
        if (shell is null)
        {
            var problem = ShellPath is null
                ? "The tasks run the built LossLandscape shell, and this is not it and none is on PATH: give -ShellPath (src/LossLandscape.Shell/bin/Release/net10.0/losslandscape after a build)."
                : $"-ShellPath '{ShellPath}' does not exist.";
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(problem), ErrorIds.ShellNotFound, ErrorCategory.ObjectNotFound, ShellPath));
        }

        var dimensions = DirectionResolver.SurfaceDimensions(Dimensions, Direction);
        var xSteps = XSteps ?? Steps;
        var ySteps = YSteps ?? Steps;
        var spec = new SlurmJobSpec
        {
            JobFolder = folder,
            ShardCount = Shards,
            PointCount = xSteps * (dimensions == 2 ? ySteps : 1),
            OutFile = outFile,
            ShellCommand = shell!,
            ModulePath = ShellLocator.ModuleFolder(),
            CheckpointPath = Checkpoint.Path,
            CheckpointArchitecture = Checkpoint.Info.Format is CheckpointFormat.PyTorch or CheckpointFormat.Safetensors ? Checkpoint.Architecture : null,
            SurfaceParameters = SurfaceParameters(dimensions, xSteps, ySteps),
            JobName = JobName,
            Partition = Partition,
            CpusPerTask = CpusPerTask,
            TimeLimit = TimeLimit,
            Gpus = Gpus,
            ExtraSbatchArguments = SbatchArgument,
        };
        if (Shards > spec.PointCount)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Shards {Shards} is more than the grid's {spec.PointCount} points: some tasks would have nothing to compute."), ErrorIds.SurfaceShardInvalid, ErrorCategory.InvalidArgument, Shards));
        }

        var scripts = new (string Path, string Text)[]
        {
            (spec.ShardScript, SlurmScriptWriter.ShardPowerShell(spec)),
            (spec.ShardBatchScript, SlurmScriptWriter.ShardBatch(spec)),
            (spec.MergeScript, SlurmScriptWriter.MergePowerShell(spec)),
            (spec.MergeBatchScript, SlurmScriptWriter.MergeBatch(spec)),
        };
        var arrayArguments = new[] { $"--array=0-{Shards - 1}", spec.ShardBatchScript };
        if (!ShouldProcess(folder, $"Submit {Shards} Slurm array task(s) and a merge job for {Checkpoint.Name}"))
        {
            // -WhatIf shows exactly what would be written and submitted.
            foreach (var (path, text) in scripts) Host.UI.WriteLine($"# {path}\n{text}");
            Host.UI.WriteLine($"sbatch --parsable {string.Join(' ', arrayArguments)}\nsbatch --parsable --dependency=afterok:<array job id> {spec.MergeBatchScript}");
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

        try
        {
            Directory.CreateDirectory(spec.LogFolder);
            if (!SaveDirections(spec, dimensions)) return;
            foreach (var (path, text) in scripts) File.WriteAllText(path, text);
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
            WriteVerbose($"Submitted array job {arrayId} (tasks 0-{Shards - 1}).");
            var mergeId = scheduler.Submit([$"--dependency=afterok:{arrayId}", spec.MergeBatchScript]);
            WriteVerbose($"Submitted merge job {mergeId} (afterok:{arrayId}).");
            manifest = SlurmJobManifest.For(spec, arrayId, mergeId);
            manifest.Write(folder);
        }
        catch (SchedulerCommandException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SchedulerCommandFailed, ErrorCategory.InvalidOperation, folder));
            return;
        }
        WriteObject(new LossSurfaceJob(folder, manifest, SurfaceJobStatus.Read(manifest, scheduler)));
    }

    /// <summary>The Get-LossSurface parameters every task passes, with every default written out so that nothing depends on the node's module defaults.</summary>
    private List<KeyValuePair<string, object>> SurfaceParameters(int dimensions, int xSteps, int ySteps)
    {
        var parameters = new List<KeyValuePair<string, object>>
        {
            new("Dimensions", dimensions),
            new("XRange", XRange ?? Range),
            new("XSteps", xSteps),
        };
        if (dimensions == 2)
        {
            parameters.Add(new("YRange", YRange ?? Range));
            parameters.Add(new("YSteps", ySteps));
        }
        parameters.Add(new("Split", Split));
        if (MaxSamples is { } maxSamples)
        {
            parameters.Add(new("MaxSamples", maxSamples));
            parameters.Add(new("SubsetSeed", SubsetSeed));
        }
        parameters.Add(new("LossFunction", LossFunction));
        parameters.Add(new("Metric", Metric));
        if (Tolerance is { } tolerance) parameters.Add(new("Tolerance", tolerance));
        parameters.Add(new("BatchSize", BatchSize));
        parameters.Add(new("ThreadCount", ThreadCount));
        if (FoldBatchNorm) parameters.Add(new("FoldBatchNorm", true));
        if (AllowNonFinite) parameters.Add(new("AllowNonFinite", true));
        parameters.Add(new("Device", Device));
        return parameters;
    }

    /// <summary>The directions, computed once here and read by every task, so no task depends on rebuilding them identically.</summary>
    private bool SaveDirections(SlurmJobSpec spec, int dimensions)
    {
        EnsureRuntime();
        var checkpoint = Checkpoint.Info;
        List<DirectionVector> directions;
        try
        {
            var random = new DirectionRecipe { Seed = Seed, Normalization = Normalization, IgnoreBiasAndNorm = IgnoreBiasAndNorm, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
            directions = DirectionResolver.ForSurface(Runtime, Direction, dimensions, checkpoint, random, Orthogonalize);
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.DirectionInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return false;
        }
        using var model = CheckpointStore.LoadModel(Runtime, checkpoint);
        DirectionStore.Write(spec.DirectionFile, ParameterLayout.Of(model), directions);
        WriteVerbose($"Directions written to {spec.DirectionFile}.");
        return true;
    }
}
