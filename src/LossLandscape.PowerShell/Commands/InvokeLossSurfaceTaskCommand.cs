using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Clusters;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Runs one task of a surface job from its folder alone: -ShardIndex k computes shard k of the surface in
/// the folder's spec.json into its shard file (a rerun resumes it), -Merge joins the complete shard
/// files into the surface file. What a job's batch scripts run on the compute nodes, by the shell or
/// by pwsh; it also finishes a shard by hand.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LossSurfaceTask", DefaultParameterSetName = ShardSet)]
[OutputType(typeof(LossSurface))]
public sealed class InvokeLossSurfaceTaskCommand : LandscapeCmdlet, IDisposable
{
    private const string ShardSet = "Shard";
    private const string MergeSet = "Merge";

    private readonly CancellationTokenSource stopping = new();

    /// <summary>The job's folder (taken literally: no wildcards).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("LiteralPath")]
    public string JobFolder { get; set; } = null!;

    /// <summary>The shard to compute, 0-based like Slurm's array task ids; named like Get-LossSurface -ShardIndex (-Shard still binds).</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ShardSet)]
    [Alias("Shard")]
    [ValidateRange(0, 99_999)]
    public int ShardIndex { get; set; }

    /// <summary>Join the shard files into the job's surface file; refuses (and names the missing points) while a shard is incomplete.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MergeSet)]
    public SwitchParameter Merge { get; set; }

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(JobFolder);
        SurfaceJobSpec job;
        try
        {
            job = SurfaceJobSpec.Read(folder);
        }
        catch (FileNotFoundException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SurfaceJobNotFound, ErrorCategory.ObjectNotFound, folder));
            return;
        }
        catch (InvalidDataException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SurfaceJobNotFound, ErrorCategory.InvalidData, folder));
            return;
        }
        if (Merge) MergeShards(folder, job);
        else ComputeShard(folder, job);
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    private void ComputeShard(string folder, SurfaceJobSpec job)
    {
        if (ShardIndex >= job.ShardCount)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The job in '{folder}' has shards 0..{job.ShardCount - 1}; there is no shard {ShardIndex}."), ErrorIds.SurfaceShardInvalid, ErrorCategory.InvalidArgument, ShardIndex));
        }
        var runtime = EnsureRuntime();
        try
        {
            job.Run.Device.EnsureAvailable(runtime);
        }
        catch (DeviceUnavailableException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.DeviceUnavailable, ErrorCategory.ResourceUnavailable, job.Run.Device.ToString()));
        }
        var outFile = SurfaceJobSpec.ShardFile(folder, ShardIndex);
        SurfaceRequest request;
        try
        {
            request = SurfacePlanner.Plan(runtime, job.ShardSurface(ShardIndex), job.Run);
        }
        catch (Exception e) when (e is SpecException or CheckpointException or InvalidDataException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SurfaceArgumentInvalid, ErrorCategory.InvalidArgument, job.Surface.Evaluation.Checkpoint.Path));
            return;
        }
        WriteVerbose($"Shard {ShardIndex} of {job.ShardCount}: device {request.Device}; {request.Workers} worker(s) × {request.ThreadsPerPoint} thread(s); data {string.Join(", ", request.Data)}; file {outFile}.");
        var progress = new ProgressReporter(this, $"Shard {ShardIndex} of {job.ShardCount}");
        try
        {
            var result = SurfaceEngine.Compute(runtime, request, new TaskObserver(this, progress), outFile, restart: false, stopping.Token);
            WriteVerbose($"Shard {ShardIndex}: {result.OwnPointCount} point(s) in {result.Elapsed?.TotalSeconds:F1} s, in {outFile}.");
            WriteObject(new LossSurface(result));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (SurfaceSettingsMismatchException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SurfaceSettingsMismatch, ErrorCategory.ResourceExists, outFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, outFile));
        }
        finally
        {
            progress.Complete();
        }
    }

    private void MergeShards(string folder, SurfaceJobSpec job)
    {
        var files = SurfaceJobSpec.ShardFiles(folder, job.ShardCount);
        SurfaceResult merged;
        try
        {
            merged = SurfaceMerge.Read(files) with { FilePath = job.OutFile };
        }
        catch (SurfaceMergeException e)
        {
            ThrowTerminatingError(MergeErrors.Record(e, files));
            return;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.SurfaceShardsIncomplete, ErrorCategory.ObjectNotFound, files));
            return;
        }
        try
        {
            SurfaceStore.Write(job.OutFile, merged);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, job.OutFile));
        }
        WriteVerbose($"Merged {files.Count} shard file(s), {merged.ComputedCount} of {merged.Grid.PointCount} points, into {job.OutFile}.");
        WriteObject(new LossSurface(merged));
    }

    private sealed class TaskObserver(InvokeLossSurfaceTaskCommand cmdlet, ProgressReporter progress) : ISurfaceObserver
    {
        public void PointCompleted(SurfaceProgress p) => progress.Report($"Point {p.Done}/{p.Total} · loss {p.Loss:G5}", p.Fraction);

        public void Verbose(string message) => cmdlet.WriteVerbose(message);
    }
}
