using System.Diagnostics;
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
/// The Hessian of the mean loss at a checkpoint, through Hessian-vector products: the top -Top
/// eigenvalues and λmin by Lanczos (full re-orthogonalization), optionally the trace (Hutchinson,
/// Rademacher probes) and the spectral density (stochastic Lanczos quadrature). BatchNorm evaluates
/// with its running statistics (eval mode), as the surfaces do.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HessianSpectrum", SupportsShouldProcess = true)]
[OutputType(typeof(HessianSpectrum))]
public sealed class GetHessianSpectrumCommand : ComputeCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>With -Alpha/-Beta: compute the spectrum at θ* + αδ + βη along these directions instead of at θ*.</summary>
    [Parameter]
    [Rehydrate(typeof(LandscapeDirection))]
    public LandscapeDirection[]? Direction { get; set; }

    [Parameter]
    public double Alpha { get; set; }

    [Parameter]
    public double Beta { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    [DatasetTransformation]
    public LandscapeDataset? Dataset { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    [Parameter]
    [ValidateRange(1, 100)]
    public int Top { get; set; } = 1;

    [Parameter]
    public SwitchParameter Trace { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Probes { get; set; } = 30;

    [Parameter]
    public SwitchParameter Density { get; set; }

    [Parameter]
    [ValidateRange(1, 100)]
    public int Runs { get; set; } = 3;

    [Parameter]
    [ValidateRange(2, 1000)]
    public int LanczosSteps { get; set; } = 50;

    [Parameter]
    [ValidateRange(1e-12, 0.5)]
    public double Tolerance { get; set; } = 1e-6;

    /// <summary>Include biases and BN γ/β (by default only tensors of dim &gt; 1, as the paper's code).</summary>
    [Parameter]
    public SwitchParameter IncludeBiasAndNorm { get; set; }

    [Parameter]
    public LossFunction LossFunction { get; set; } = LossFunction.CrossEntropy;

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = Evaluation.DefaultBatchSize;

    [Parameter]
    public long Seed { get; set; }

    /// <summary>Compute in float64 (small models; exactness).</summary>
    [Parameter]
    public SwitchParameter Float64 { get; set; }

    /// <summary>Where to save the top eigenvectors as directions (default: hessian-&lt;hash&gt;.h5 beside the checkpoint).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Overwrite an existing -OutFile.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    /// <summary>Moves the model to (α, β) when directions are given; disposing the evaluator restores θ*.</summary>
    private SurfaceEvaluator? AtPoint(TorchSharp.torch.nn.Module model)
    {
        if (Direction is not { Length: > 0 }) return null;
        if (Direction.Length > 2) throw new ArgumentException($"-Direction takes one or two directions, got {Direction.Length}.");
        var x = DirectionResolver.Resolve(Runtime, Direction[0], Checkpoint.Info);
        var y = Direction.Length > 1 ? DirectionResolver.Resolve(Runtime, Direction[1], Checkpoint.Info) : null;
        if (y is null && Beta != 0) throw new ArgumentException("-Beta needs a second direction.");
        var evaluator = new SurfaceEvaluator(model, x, y);
        evaluator.MoveTo(Alpha, Beta);
        WriteVerbose($"At (α, β) = ({Alpha}, {Beta}) along {x.Recipe}{(y is null ? "" : $" / {y.Recipe}")}.");
        return evaluator;
    }

    protected override void ProcessRecord()
    {
        if (Checkpoint.NonFiniteCount > 0)
        {
            WriteError(new InvalidDataException($"{Checkpoint.Path} holds {Checkpoint.NonFiniteCount} NaN or infinite value(s): its Hessian is undefined."), ErrorIds.CheckpointNonFinite, ErrorCategory.InvalidData, Checkpoint);
            return;
        }
        var reference = Dataset?.Reference ?? Checkpoint.Info.Metadata.Dataset;
        if (reference is null)
        {
            WriteError(new ArgumentException($"{Checkpoint.Name} names no data set; give -Dataset."), ErrorIds.CurvatureInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }
        if (MaxSamples is not null) reference = reference with { MaxSamples = MaxSamples };
        reference = reference with { Split = DatasetSplit.Train };
        // Checked before the (long) computation, so an existing result is neither overwritten nor waited for in vain.
        if (OutFile is not null && !MayWrite(GetUnresolvedProviderPathFromPSPath(OutFile), Force)) return;
        if (!ShouldProcess(OutFile ?? System.IO.Path.GetDirectoryName(Checkpoint.Path)!, "Compute the Hessian spectrum and write its top eigenvectors as a direction file")) return;
        var progress = new ProgressReporter(this, $"Hessian of {Checkpoint.Name}");
        var clock = Stopwatch.StartNew();
        try
        {
            using var data = DatasetCatalog.Load(Runtime, reference, SelectedDevice);
            using var model = CheckpointStore.LoadModel(Runtime, Checkpoint.Info, SelectedDevice);
            using var evaluator = AtPoint(model);
            using var hessian = new HessianOperator(model, data, LossFunction, BatchSize, weightsOnly: !IncludeBiasAndNorm, float64: Float64, cancellation: stopping.Token);
            WriteVerbose($"Hessian of the mean loss over {data.Count} samples of {reference}, {hessian.Dimension} parameters; seed {Seed}.");
            double[] Apply(double[] v)
            {
                var result = hessian.Apply(v);
                progress.Report($"{hessian.HessianVectorProducts} Hessian-vector products", 0);
                return result;
            }
            var solver = new LanczosEigensolver(Apply, hessian.Dimension) { RelativeTolerance = Tolerance, Seed = Seed, Cancellation = stopping.Token };
            var top = solver.Largest(Top);
            var bottom = solver.Smallest(1);
            TraceEstimate? trace = Trace ? new HutchinsonTraceEstimator(Apply, hessian.Dimension) { Seed = Seed, Cancellation = stopping.Token }.Estimate(Probes) : null;
            SpectralDensity? density = Density ? new SpectralDensityEstimator(Apply, hessian.Dimension) { Seed = Seed, Cancellation = stopping.Token }.Estimate(Runs, LanczosSteps) : null;
            var layout = ParameterLayout.Of(model);
            var eigenvectors = EigenvectorDirections.Create(layout, hessian.ParameterNames, top.Eigenvectors.Take(2).ToArray(), Checkpoint.Info.Metadata.StateSha256);
            var file = GetUnresolvedProviderPathFromPSPath(OutFile ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Checkpoint.Path)!, $"hessian-{string.Concat(eigenvectors.Select(e => e.Sha256[..8]))}.h5"));
            DirectionStore.Write(file, layout, eigenvectors);
            double? cosine = eigenvectors.Length == 2 ? eigenvectors[0].CosineTo(eigenvectors[1]) : null;
            WriteObject(new HessianSpectrum
            {
                Checkpoint = Checkpoint,
                Direction = eigenvectors.Select(e => new LandscapeDirection(e, Checkpoint.Path, null, file, cosine)).ToArray(),
                Dataset = $"{reference} ({data.Count})",
                Dimension = hessian.Dimension,
                TopEigenvalues = top.Eigenvalues,
                Residuals = top.ResidualNorms,
                MinEigenvalue = bottom.Eigenvalues[0],
                Iterations = top.Iterations + bottom.Iterations,
                Converged = top.Converged && bottom.Converged,
                Trace = trace?.Trace,
                TraceStandardError = trace?.StandardError,
                DensityGrid = density?.Grid,
                Density = density?.Density,
                HessianVectorProducts = hessian.HessianVectorProducts,
                Elapsed = clock.Elapsed,
            });
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or CheckpointException)
        {
            WriteError(e, ErrorIds.CurvatureInvalid, ErrorCategory.InvalidArgument, Checkpoint);
        }
        finally
        {
            progress.Complete();
        }
    }
}
