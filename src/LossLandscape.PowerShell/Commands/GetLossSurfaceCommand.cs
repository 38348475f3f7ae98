using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Completers;
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
public sealed class GetLossSurfaceCommand : ComputeCmdlet, IDisposable
{
    /// <summary>Grid points evaluated at once by default; measured on 2 cores (see README, "Speed").</summary>
    internal static int DefaultWorkers => Environment.ProcessorCount;

    private readonly CancellationTokenSource stopping = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>One (1D) or two (2D) directions; made on the fly from -Seed/-Normalization when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
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

    /// <summary>Points per axis (both axes unless -XSteps/-YSteps say otherwise).</summary>
    [Parameter]
    [ValidateRange(2, 10_001)]
    public int Steps { get; set; } = 51;

    /// <summary>Coordinate range of both axes: two numbers, default -1, 1.</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public double[] Range { get; set; } = [-1, 1];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateCount(2, 2)]
    public double[]? XRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? XSteps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateCount(2, 2)]
    public double[]? YRange { get; set; }

    [Parameter]
    [ValidateRange(2, 10_001)]
    public int? YSteps { get; set; }

    /// <summary>Data set to evaluate on; by default the one named in the checkpoint.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    [DatasetTransformation]
    public LandscapeDataset? Dataset { get; set; }

    [Parameter]
    public SurfaceSplit Split { get; set; } = SurfaceSplit.Train;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    [Parameter]
    public long SubsetSeed { get; set; }

    [Parameter]
    public LossFunction LossFunction { get; set; } = LossFunction.CrossEntropy;

    /// <summary>Loss (default) or Curvature: λmax, λmin and |λmin/λmax| of the Hessian at each point (use a coarse grid: each point costs tens of Hessian-vector products).</summary>
    [Parameter]
    public SurfaceMetric Metric { get; set; } = SurfaceMetric.Loss;

    /// <summary>-Metric Curvature: Lanczos relative tolerance (default 1e-2, the paper code's eigsh tolerance).</summary>
    [Parameter]
    [ValidateRange(1e-12, 0.5)]
    public double Tolerance { get; set; } = CurvatureMetric.PaperTolerance;

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = Evaluation.DefaultBatchSize;

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

    /// <summary>Discard an existing -OutFile (and its journal) and start over.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Grid points evaluated at once, each on its own thread (default: the number of cores).</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = DefaultWorkers;

    /// <summary>libtorch threads per point (default 1). A different count may change the last bits of the values.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThreadCount { get; set; } = 1;

    /// <summary>
    /// Fold each BatchNorm into the convolution before it for evaluation (zoo models, -Metric Loss):
    /// faster; the values equal the unfolded ones up to float rounding (about 1e-7 relative) and the
    /// file records that they were folded.
    /// </summary>
    [Parameter]
    public SwitchParameter FoldBatchNorm { get; set; }

    /// <summary>Compute a surface even around a checkpoint holding NaN or infinite values.</summary>
    [Parameter]
    public SwitchParameter AllowNonFinite { get; set; }

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
        if (Checkpoint.NonFiniteCount > 0 && !AllowNonFinite)
        {
            var problem = new InvalidDataException($"{Checkpoint.Path} holds {Checkpoint.NonFiniteCount} NaN or infinite value(s); every point of its landscape would be undefined. Use -AllowNonFinite to compute it anyway.");
            WriteError(problem, ErrorIds.CheckpointNonFinite, ErrorCategory.InvalidData, Checkpoint);
            return;
        }
        var twoDimensional = (Dimensions ?? (Direction is { Length: 1 } ? 1 : 2)) == 2;
        if (SurfaceInputCheck.FirstProblem(Checkpoint, Direction, XRange ?? Range, twoDimensional ? YRange ?? Range : null) is { } inputProblem)
        {
            WriteError(inputProblem);
            return;
        }
        if (OutFile is not null && !FolderExistsFor(GetUnresolvedProviderPathFromPSPath(OutFile))) return;
        SurfaceRequest request;
        string? outFile = null;
        try
        {
            request = BuildRequest(Checkpoint.Info);
            if (OutFile is not null) outFile = GetUnresolvedProviderPathFromPSPath(OutFile);
            if (ResumeFrom is not null) request = TakeOver(request, outFile);
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException)
        {
            WriteError(e, ErrorIds.SurfaceArgumentInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }

        var grid = request.Grid;
        WriteVerbose($"Device {request.Device}; {request.Workers} worker(s) × {request.ThreadsPerPoint} thread(s); directions {request.X.Recipe}{(request.Y is null ? "" : $" / {request.Y.Recipe}")}; data {string.Join(", ", request.Data)}; grid {grid.X.Length}{(grid.Y is null ? "" : $"×{grid.Y.Length}")}{(outFile is null ? "" : $"; file {outFile}")}.");
        if (outFile is not null && !ShouldProcess(outFile, "Compute loss surface and write it")) return;

        var observer = new CmdletSurfaceObserver(this);
        try
        {
            var result = SurfaceEngine.Compute(Runtime, request, observer, outFile, Force, stopping.Token);
            WriteVerbose($"{result.ComputedCount} of {grid.PointCount} points{(shard is null ? "" : $" ({shard}: {result.OwnPointCount})")} in {result.Elapsed.TotalSeconds:F1} s on {string.Join(" + ", result.Metadata.Data.Select(d => $"{d.Dataset} ({d.SampleCount} samples)"))}{(outFile is null ? "" : $"; written to {outFile}")}.");
            WriteObject(new LossSurface(result));
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

    private SurfaceRequest BuildRequest(CheckpointInfo checkpoint)
    {
        var dimensions = DirectionResolver.SurfaceDimensions(Dimensions, Direction);
        var random = new DirectionRecipe { Seed = Seed, Normalization = Normalization, IgnoreBiasAndNorm = IgnoreBiasAndNorm, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        var directions = DirectionResolver.ForSurface(Runtime, Direction, dimensions, checkpoint, random, Orthogonalize);

        var xRange = XRange ?? Range;
        var yRange = YRange ?? Range;
        var grid = new SurfaceGrid(
            SurfaceGrid.Linspace(xRange[0], xRange[1], XSteps ?? Steps),
            dimensions == 2 ? SurfaceGrid.Linspace(yRange[0], yRange[1], YSteps ?? Steps) : null);

        var baseData = Dataset?.Reference ?? checkpoint.Metadata.Dataset
            ?? throw new ArgumentException($"{checkpoint.Name} names no data set; give -Dataset.");
        // Without -MaxSamples, the data is exactly the checkpoint's (or -Dataset's), subset included.
        var reference = MaxSamples is null ? baseData : baseData with { MaxSamples = MaxSamples, SubsetSeed = SubsetSeed };
        var splits = Split switch
        {
            SurfaceSplit.Test => new[] { reference with { Split = DatasetSplit.Test } },
            SurfaceSplit.Both => [reference with { Split = DatasetSplit.Train }, reference with { Split = DatasetSplit.Test }],
            _ => [reference with { Split = DatasetSplit.Train }],
        };
        var spec = checkpoint.Metadata.Model;
        // A TorchScript model states no input shape; the engine tries one sample before it starts.
        foreach (var split in checkpoint.Format == CheckpointFormat.TorchScript ? [] : splits)
        {
            var arrays = DatasetCatalog.LoadArrays(Runtime.DatasetCache, split);
            if (arrays.Channels != spec.InputChannels || arrays.Height != spec.InputHeight || arrays.Width != spec.InputWidth || arrays.ClassCount != spec.ClassCount)
                throw new ArgumentException($"{split} has {arrays.Channels}×{arrays.Height}×{arrays.Width} inputs and {arrays.ClassCount} classes; {spec.Architecture} expects {spec.InputChannels}×{spec.InputHeight}×{spec.InputWidth} and {spec.ClassCount}.");
        }

        var request = new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = directions[0],
            Y = directions.Count > 1 ? directions[1] : null,
            Grid = grid,
            Data = splits,
            LossFunction = LossFunction,
            Metric = Metric == SurfaceMetric.Curvature ? new CurvatureMetric(LossFunction, BatchSize, IgnoreBiasAndNorm, Tolerance) : null,
            BatchSize = BatchSize,
            Workers = ThrottleLimit,
            ThreadsPerPoint = ThreadCount,
            FoldBatchNorm = FoldBatchNorm,
            Device = SelectedDevice,
            Shard = shard,
        };
        request.Validate();
        return request;
    }

    /// <summary>
    /// Adopts the grid of -ResumeFrom and journals its finished points for -OutFile, so the engine's
    /// ordinary resume computes only the rest.
    /// </summary>
    private SurfaceRequest TakeOver(SurfaceRequest request, string? outFile)
    {
        var source = GetUnresolvedProviderPathFromPSPath(ResumeFrom);
        if (outFile is null) throw new ArgumentException("-ResumeFrom writes the finished surface to a new file: give -OutFile.");
        if (string.Equals(Path.GetFullPath(source), Path.GetFullPath(outFile), StringComparison.Ordinal))
            throw new ArgumentException("-OutFile must differ from -ResumeFrom: the original file is never modified.");
        if (Direction is not { Length: > 0 })
            throw new ArgumentException($"-ResumeFrom needs the directions '{source}' was computed along (-Direction).");
        var earlier = SurfaceStore.Read(source, allowForeign: true);
        if ((earlier.Grid.Y is null) != (request.Y is null))
            throw new ArgumentException($"'{source}' is a {(earlier.Grid.Y is null ? 1 : 2)}D surface but {(request.Y is null ? 1 : 2)} direction(s) were given.");
        request = request with { Grid = earlier.Grid };
        if (File.Exists(outFile) || File.Exists(SurfaceJournal.PathFor(outFile))) return request;

        var counts = request.Data.Select(d => DatasetCatalog.LoadArrays(Runtime.DatasetCache, d).Count).ToArray();
        var metadata = SurfaceEngine.Describe(request, counts);
        var keys = request.EffectiveMetric.Keys(metadata.Data);
        if (!keys.All(earlier.Values.ContainsKey))
            throw new ArgumentException($"'{source}' holds {string.Join(", ", earlier.Values.Keys)}; this surface needs {string.Join(", ", keys)}.");
        using var journal = SurfaceJournal.Open(SurfaceJournal.PathFor(outFile), metadata, keys.Count, out _);
        var taken = 0;
        for (var index = 0; index < earlier.Computed.Length; index++)
        {
            // A shard file holds only its own points: the rest belong to the other shards' files.
            if (!earlier.Computed[index] || request.Shard?.Owns(index) == false) continue;
            journal.Append(index, keys.Select(k => earlier.Values[k][index]).ToArray());
            taken++;
        }
        WriteVerbose($"Took over {taken} of {earlier.Computed.Length} finished points from {source}{(request.Shard is null ? "" : $" for {request.Shard}")}.");
        return request;
    }

    private sealed class CmdletSurfaceObserver(GetLossSurfaceCommand cmdlet) : ISurfaceObserver
    {
        private readonly ProgressReporter progress = new(cmdlet, "Loss surface");

        public void PointCompleted(SurfaceProgress p) =>
            progress.Report($"Point {p.Done}/{p.Total} · (α, β) = ({p.Alpha:F3}, {p.Beta:F3}) · loss {p.Loss:G5}", p.Fraction);

        public void Verbose(string message) => cmdlet.WriteVerbose(message);

        public void Complete() => progress.Complete();
    }
}
