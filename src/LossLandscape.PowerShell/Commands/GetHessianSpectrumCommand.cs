using System.Diagnostics;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
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
public sealed class GetHessianSpectrumCommand : EvaluationCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>With -Alpha/-Beta: compute the spectrum at θ* + αδ + βη along these directions instead of at θ*.</summary>
    [Parameter]
    [Rehydrate(typeof(LandscapeDirection))]
    public LandscapeDirection[]? Direction { get; set; }

    [Parameter]
    public double Alpha { get; set; }

    [Parameter]
    public double Beta { get; set; }

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

    /// <summary>Relative tolerance of the Lanczos eigenvalues.</summary>
    [Parameter]
    [Alias("Tolerance")]
    [ValidateRange(1e-12, 0.5)]
    public double LanczosTolerance { get; set; } = 1e-6;

    /// <summary>Include biases and BN γ/β: the same as -IgnoreBiasAndNorm:$false, kept for existing scripts.</summary>
    [Parameter]
    public SwitchParameter IncludeBiasAndNorm { get; set; }

    /// <summary>Seed of the Lanczos start vector and of the trace and density probes.</summary>
    [Parameter]
    [Alias("Seed")]
    public long ProbeSeed { get; set; }

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
        var x = Direction[0].Source.Resolve(Checkpoint.Info);
        var y = Direction.Length > 1 ? Direction[1].Source.Resolve(Checkpoint.Info) : null;
        if (y is null && Beta != 0) throw new ArgumentException("-Beta needs a second direction.");
        var evaluator = new SurfaceEvaluator(model, x, y);
        evaluator.MoveTo(Alpha, Beta);
        WriteVerbose($"At (α, β) = ({Alpha}, {Beta}) along {x.Recipe}{(y is null ? "" : $" / {y.Recipe}")}.");
        return evaluator;
    }

    protected override void ProcessRecord()
    {
        DatasetReference reference;
        bool weightsOnly;
        try
        {
            var evaluation = BindEvaluation(Checkpoint.Info) with { IgnoreBiasAndNorm = IgnoreBiasAndNorm && !IncludeBiasAndNorm };
            evaluation.Validate();
            if (evaluation.Split == EvaluationSplit.Both) throw new SpecException(SpecProblem.Argument, "The Hessian is of one split's mean loss: give -Split Train or -Split Test.");
            if (evaluation.FoldBatchNorm) throw new SpecException(SpecProblem.Argument, "-FoldBatchNorm applies to forward-only evaluation; the Hessian needs the unfolded model.");
            reference = evaluation.PlanData(Checkpoint.Info)[0];
            weightsOnly = evaluation.IgnoreBiasAndNorm;
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.CurvatureInvalid, Checkpoint));
            return;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            WriteError(e, ErrorIds.CurvatureInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }
        // Checked before the (long) computation, so an existing result is neither overwritten nor waited for in vain.
        if (OutFile is not null && !MayWrite(GetUnresolvedProviderPathFromPSPath(OutFile), Force)) return;
        if (!ShouldProcess(OutFile ?? System.IO.Path.GetDirectoryName(Checkpoint.Path)!, "Compute the Hessian spectrum and write its top eigenvectors as a direction file")) return;
        var progress = new ProgressReporter(this, $"Hessian of {Checkpoint.Name}");
        var clock = Stopwatch.StartNew();
        // libtorch's thread count is per calling thread: this pipeline thread's is set for the analysis and restored after it.
        if (ThreadCount is { } threads) TorchRuntime.ApplyThreadCount(threads);
        try
        {
            using var data = DatasetCatalog.Load(reference, SelectedDevice);
            using var model = CheckpointStore.LoadModel(Checkpoint.Info, SelectedDevice);
            using var evaluator = AtPoint(model);
            using var hessian = new HessianOperator(model, data, LossFunction, BatchSize, weightsOnly: weightsOnly, float64: Float64, cancellation: stopping.Token);
            WriteVerbose($"Hessian of the mean loss over {data.Count} samples of {reference}, {hessian.Dimension} parameters; seed {ProbeSeed}.");
            double[] Apply(double[] v)
            {
                var result = hessian.Apply(v);
                progress.Report($"{hessian.HessianVectorProducts} Hessian-vector products", 0);
                return result;
            }
            var solver = new LanczosEigensolver(Apply, hessian.Dimension) { RelativeTolerance = LanczosTolerance, Seed = ProbeSeed, Cancellation = stopping.Token };
            var top = solver.Largest(Top);
            var bottom = solver.Smallest(1);
            TraceEstimate? trace = Trace ? new HutchinsonTraceEstimator(Apply, hessian.Dimension) { Seed = ProbeSeed, Cancellation = stopping.Token }.Estimate(Probes) : null;
            SpectralDensity? density = Density ? new SpectralDensityEstimator(Apply, hessian.Dimension) { Seed = ProbeSeed, Cancellation = stopping.Token }.Estimate(Runs, LanczosSteps) : null;
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
            if (ThreadCount is not null) TorchRuntime.ApplyThreadCount();
            progress.Complete();
        }
    }
}
