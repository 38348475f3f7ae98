using System.Diagnostics;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// The Hessian of the mean loss at a checkpoint, through Hessian-vector products: the top -Top
/// eigenvalues and λmin by Lanczos (full re-orthogonalization), optionally the trace (Hutchinson,
/// Rademacher probes) and the spectral density (stochastic Lanczos quadrature). BatchNorm evaluates
/// with its running statistics (eval mode), as the surfaces do. The data parameters are
/// Get-LossSurface's: the same -MaxSamples and -SubsetSeed evaluate the same samples.
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

    /// <summary>Split the trace into each layer's or block's share, from the same probes (implies -Trace).</summary>
    [Parameter]
    public HessianGrouping? GroupBy { get; set; }

    /// <summary>With -GroupBy: also each group's λmax (and with -Density its density), a Lanczos run per group.</summary>
    [Parameter]
    public SwitchParameter GroupSpectrum { get; set; }

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

    /// <summary>
    /// The plane the spectrum carries as its Direction (and saves): TopTwo (λ1's and λ2's eigenvectors,
    /// with -Top 2 or more) or TopBottom (λmax's and λmin's, Böttcher and Wheeler), which shows a saddle.
    /// Decided here, where the eigenvectors are computed, so the file and the object say which plane it is.
    /// </summary>
    [Parameter]
    public HessianPair Pair { get; set; } = HessianPair.TopTwo;

    /// <summary>Seed of the filter-normalized random plane whose x and y norms the eigenvectors are rescaled to (Get-LossSurface's -Seed).</summary>
    [Parameter]
    public long DirectionSeed { get; set; } = DirectionRecipe.DefaultSeed;

    /// <summary>Keep the eigenvectors at unit norm instead of the random plane's norms.</summary>
    [Parameter]
    public SwitchParameter UnitDirections { get; set; }

    /// <summary>Where to save the plane's eigenvectors as directions (default: hessian-&lt;hash&gt;.h5 beside the checkpoint).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Overwrite an existing -OutFile.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    /// <summary>The analysis these parameters describe; its data is planned as every evaluation's is.</summary>
    /// <exception cref="SpecException">The parameters contradict each other or do not fit the checkpoint.</exception>
    private HessianAnalysisOptions BindAnalysis()
    {
        var evaluation = BindEvaluation(Checkpoint.Info) with { IgnoreBiasAndNorm = IgnoreBiasAndNorm && !IncludeBiasAndNorm };
        evaluation.Validate();
        if (evaluation.Split == EvaluationSplit.Both) throw new SpecException(SpecProblem.Argument, "The Hessian is of one split's mean loss: give -Split Train or -Split Test.");
        if (evaluation.FoldBatchNorm) throw new SpecException(SpecProblem.Argument, "-FoldBatchNorm applies to forward-only evaluation; the Hessian needs the unfolded model.");
        if (Direction is { Length: > 2 }) throw new SpecException(SpecProblem.Direction, $"-Direction takes one or two directions, got {Direction.Length}.");
        var directions = (Direction ?? []).Select(d => d.Source.Resolve(Runtime, Checkpoint.Info)).ToArray();
        evaluation.RequireBatchNormStatistics("The Hessian, taken with fixed BatchNorm statistics,", Core.Directions.BatchNormStatistics.Running, Core.Directions.BatchNormStatistics.Interpolate, Core.Directions.BatchNormStatistics.Reset);
        var statistics = evaluation.BatchNormStatisticsFor(directionsMoveStatistics: directions.Any(d => d.Buffers is not null));
        if (directions.Length > 0) WriteVerbose($"At (α, β) = ({Alpha}, {Beta}) along {string.Join(" / ", directions.Select(d => d.Recipe))}.");
        return new HessianAnalysisOptions
        {
            Dataset = evaluation.PlanData(Runtime, Checkpoint.Info)[0],
            Top = Top,
            Trace = Trace,
            Probes = Probes,
            GroupBy = GroupBy,
            GroupSpectrum = GroupSpectrum,
            Density = Density,
            Runs = Runs,
            LanczosSteps = LanczosSteps,
            Tolerance = LanczosTolerance,
            IncludeBiasAndNorm = !evaluation.IgnoreBiasAndNorm,
            Parameters = evaluation.Parameters,
            LossFunction = evaluation.LossFunction,
            BatchSize = evaluation.BatchSize,
            Seed = ProbeSeed,
            Float64 = Float64,
            Device = SelectedDevice,
            Directions = directions,
            BatchNormStatistics = statistics,
            BatchNormResetData = statistics == Core.Directions.BatchNormStatistics.Reset ? evaluation.BatchNormResetData : null,
            BatchNormResetBatches = evaluation.BatchNormResetBatches,
            Alpha = Alpha,
            Beta = Beta,
            Pair = Pair,
            ScaleSeed = UnitDirections ? null : DirectionSeed,
            EigenvectorFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile),
        };
    }

    protected override void ProcessRecord()
    {
        HessianAnalysisOptions options;
        try
        {
            options = BindAnalysis();
            options.Validate();
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
        if (options.GroupSpectrum)
            WriteVerbose($"-GroupSpectrum: a Lanczos run per group, up to min(dimension, 102) + 1 Hessian-vector products each{(options.Density ? $" and {options.Runs} × {options.LanczosSteps} for its density" : "")}; a group's product costs as much as the whole model's.");
        // Checked before the (long) computation, so an existing result is neither overwritten nor waited for in vain.
        if (options.EigenvectorFile is { } file && !MayWrite(file, Force)) return;
        if (!ShouldProcess(options.EigenvectorFile ?? System.IO.Path.GetDirectoryName(Checkpoint.Path)!, "Compute the Hessian spectrum and write its plane's eigenvectors as a direction file")) return;
        var progress = new ProgressReporter(this, $"Hessian of {Checkpoint.Name}");
        var clock = Stopwatch.StartNew();
        // libtorch's thread count is per calling thread: this pipeline thread's is set for the analysis and restored after it.
        if (ThreadCount is { } threads) Runtime.ApplyThreadCount(threads);
        try
        {
            var analysis = new HessianAnalysis(Runtime, Checkpoint.Info, options).Run(
                products => progress.Report($"{products} Hessian-vector products", 0), stopping.Token);
            WriteVerbose($"Hessian of the mean loss over {analysis.SampleCount} samples of {options.Dataset}, {analysis.Dimension} parameters; probe seed {ProbeSeed}.");
            foreach (var direction in analysis.Eigenvectors) WriteVerbose($"Plane {Pair}: {direction.Recipe}, norm {direction.Norm:G6}.");
            if (analysis.GroupSpectra is { } spectra)
                WriteVerbose($"The {spectra.Count} groups' own spectra took {spectra.Sum(g => g.HessianVectorProducts)} of the {analysis.HessianVectorProducts} Hessian-vector products.");
            var eigenvectors = analysis.Eigenvectors;
            double? cosine = eigenvectors.Count == 2 ? eigenvectors[0].CosineTo(eigenvectors[1]) : null;
            WriteObject(new HessianSpectrum
            {
                Checkpoint = Checkpoint,
                Direction = eigenvectors.Select(e => new LandscapeDirection(e, Checkpoint.Path, null, analysis.EigenvectorFile, cosine)).ToArray(),
                Dataset = $"{options.Dataset} ({analysis.SampleCount})",
                Dimension = analysis.Dimension,
                Loss = analysis.Loss,
                TopEigenvalues = analysis.Largest.Eigenvalues,
                Residuals = analysis.Largest.ResidualNorms,
                MinEigenvalue = analysis.MinEigenvalue,
                Iterations = analysis.Iterations,
                Converged = analysis.Converged,
                Trace = analysis.Trace?.Trace,
                TraceStandardError = analysis.Trace?.StandardError,
                Groups = analysis.GroupTraces?.Select((g, i) => Group(g, analysis.GroupSpectra?[i])).ToArray(),
                DensityGrid = analysis.Density?.Grid,
                Density = analysis.Density?.Density,
                HessianVectorProducts = analysis.HessianVectorProducts,
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
            if (ThreadCount is not null) Runtime.ApplyThreadCount();
            progress.Complete();
        }
    }

    private static HessianGroup Group(GroupTrace trace, Core.Curvature.GroupSpectrum? spectrum) =>
        new(trace.Group, trace.Dimension, trace.Trace.Trace, trace.Trace.StandardError)
        {
            MaxEigenvalue = spectrum?.MaxEigenvalue,
            Converged = spectrum?.Largest.Converged,
            DensityGrid = spectrum?.Density?.Grid,
            Density = spectrum?.Density?.Density,
            HessianVectorProducts = spectrum?.HessianVectorProducts ?? 0,
        };
}
