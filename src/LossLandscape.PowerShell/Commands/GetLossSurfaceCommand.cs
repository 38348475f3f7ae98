using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Computes the loss landscape around a checkpoint: f(α) = L(θ* + αδ) over a line or
/// f(α, β) = L(θ* + αδ + βη) over a grid, on the chosen data, and emits a <see cref="LossSurface"/>.
/// With -OutFile every finished point is kept on disk: rerunning the same command resumes.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LossSurface", SupportsShouldProcess = true)]
[OutputType(typeof(LossSurface))]
public sealed class GetLossSurfaceCommand : SurfaceCmdlet, IDisposable
{
    /// <summary>Grid points evaluated at once by default; measured on 2 cores (see README, "Speed").</summary>
    internal static int DefaultWorkers => Environment.ProcessorCount;

    private readonly CancellationTokenSource stopping = new();

    /// <summary>HDF5 file (the paper code's dataset names) that keeps the surface and makes the run resumable.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>
    /// Finish an unfinished surface file written elsewhere (the paper code's, with −1 for points not
    /// computed yet): its grid and finished points are taken over, the rest computed, and everything
    /// written to -OutFile. The original file is never modified. Give the directions it was computed
    /// along (-Direction, e.g. from Import-LandscapeDirection of its dir_file).
    /// </summary>
    [Parameter]
    public string? ResumeFrom { get; set; }

    /// <summary>Compute anew into a side file and rename it over -OutFile when complete (see <see cref="SurfaceEngine.ReplacementPath"/>).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Grid points evaluated at once, each on its own thread (default: the number of cores).</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = DefaultWorkers;

    /// <summary>
    /// Compute only shard -ShardIndex of -ShardCount (0-based, like Slurm's array task ids): grid
    /// point i (row-major [y, x]) belongs to shard i mod -ShardCount. Needs -OutFile; combine the
    /// shard files with Merge-LossSurface.
    /// </summary>
    [Parameter]
    public int? ShardIndex { get; set; }

    /// <summary>How many shards the grid is split into (see -ShardIndex).</summary>
    [Parameter]
    public int? ShardCount { get; set; }

    /// <summary>The checked -ShardIndex/-ShardCount, set by <see cref="BeginProcessing"/>.</summary>
    private SurfaceShard? shard;

    protected override void BeginProcessing()
    {
        shard = CheckShard();
        base.BeginProcessing();
    }

    /// <summary>Invocation-wide, so a terminating error before the runtime loads or anything is computed.</summary>
    private SurfaceShard? CheckShard()
    {
        if (ShardIndex is null && ShardCount is null) return null;
        var problem = ShardIndex is null || ShardCount is null
            ? $"-ShardIndex and -ShardCount go together; {(ShardIndex is null ? "-ShardIndex" : "-ShardCount")} is missing."
            : SurfaceShard.Problem(ShardIndex.Value, ShardCount.Value)
                ?? (OutFile is null ? "A shard is computed into its own file for Merge-LossSurface: give -OutFile." : null);
        if (problem is not null)
        {
            var target = ShardIndex is null || ShardCount < 1 ? ShardCount : ShardIndex;
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), ErrorIds.SurfaceShardInvalid, ErrorCategory.InvalidArgument, target));
        }
        return new SurfaceShard(ShardIndex!.Value, ShardCount!.Value);
    }

    protected override void ProcessRecord()
    {
        if (FirstInputProblem() is { } inputProblem)
        {
            WriteError(inputProblem);
            return;
        }
        var outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        if (outFile is not null && !FolderExistsFor(outFile)) return;
        SurfaceRequest request;
        try
        {
            var spec = BindSurface(Checkpoint.Info) with { Shard = shard };
            request = SurfacePlanner.Plan(Runtime, spec, new RunOptions { Device = SelectedDevice, Workers = ThrottleLimit, ThreadsPerPoint = ThreadCount }, Checkpoint.Info);
            if (ResumeFrom is not null) request = TakeOver(request, outFile);
        }
        catch (SpecException e) when (e.InnerException is DirectionNonFiniteException nonFinite)
        {
            WriteError(nonFinite, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidData, Checkpoint);
            return;
        }
        catch (DirectionNonFiniteException e)
        {
            WriteError(e, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidData, Checkpoint);
            return;
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.SurfaceArgumentInvalid, Checkpoint));
            return;
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException)
        {
            WriteError(e, ErrorIds.SurfaceArgumentInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }

        var grid = request.Grid;
        WriteVerbose($"Device {request.Device}; {request.Workers} worker(s) × {request.ThreadsPerPoint} thread(s); directions {request.X.Recipe}{(request.Y is null ? "" : $" / {request.Y.Recipe}")}; data {string.Join(", ", request.Data)}; grid {grid.X.Length}{(grid.Y is null ? "" : $"×{grid.Y.Length}")}{(outFile is null ? "" : $"; file {outFile}")}.");
        if (outFile is not null && !ShouldProcess(outFile, "Compute loss surface and write it")) return;

        var observer = new CmdletSurfaceObserver(this, "Loss surface");
        try
        {
            var result = SurfaceEngine.Compute(Runtime, request, observer, outFile, Force, stopping.Token);
            WriteVerbose($"{result.ComputedCount} of {grid.PointCount} points{(result.Members is { } draws ? $" in each of {draws.Count} direction draws (seeds {draws.Seeds[0]}..{draws.Seeds[^1]})" : "")}{(shard is null ? "" : $" ({shard}: {result.OwnPointCount})")} in {result.Elapsed?.TotalSeconds:F1} s on {string.Join(" + ", result.Metadata.Data.Select(d => $"{d.Dataset} ({d.SampleCount} samples)"))}{(outFile is null ? "" : $"; file {outFile}")}.");
            var surface = new LossSurface(result);
            if (surface.NonFiniteLossCount > 0)
                WriteWarning($"{surface.NonFiniteLossCount} of {result.ComputedCount} computed points have a NaN or infinite loss (the model diverges there); MinLoss skips them.");
            WriteObject(surface);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (SurfaceSettingsMismatchException e)
        {
            WriteError(e, ErrorIds.SurfaceSettingsMismatch, ErrorCategory.ResourceExists, outFile);
        }
        catch (UnauthorizedAccessException e)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.PermissionDenied, outFile);
        }
        catch (IOException e) when (e.IsStorageFailure())
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, outFile);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            WriteError(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.InvalidData, outFile);
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.SurfaceArgumentInvalid, ErrorCategory.InvalidArgument, Checkpoint);
        }
        finally
        {
            observer.Complete();
        }
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    /// <summary>Adopts the grid and finished points of -ResumeFrom (see <see cref="SurfacePlanner.TakeOver"/>).</summary>
    private SurfaceRequest TakeOver(SurfaceRequest request, string? outFile)
    {
        var source = GetUnresolvedProviderPathFromPSPath(ResumeFrom);
        if (outFile is null) throw new SpecException(SpecProblem.Argument, "-ResumeFrom writes the finished surface to a new file: give -OutFile.");
        if (Direction is not { Length: > 0 })
            throw new SpecException(SpecProblem.Direction, $"-ResumeFrom needs the directions '{source}' was computed along (-Direction).");
        var (adopted, taken) = SurfacePlanner.TakeOver(Runtime, request, source, outFile);
        if (taken is not null) WriteVerbose($"Took over {taken} of {adopted.Grid.PointCount} finished points from {source}{(adopted.Shard is null ? "" : $" for {adopted.Shard}")}.");
        return adopted;
    }
}
