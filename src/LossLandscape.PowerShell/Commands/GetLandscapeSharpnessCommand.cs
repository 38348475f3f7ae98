using System.Diagnostics;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Sharpness;
using LossLandscape.Core.Specs;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Sharpness measures of each piped checkpoint as m-sharpness (-BatchSize m, consecutive batches):
/// adaptive average and worst case (Andriushchenko et al., ICML 2023), Keskar et al.'s ε-sharpness,
/// the curvature along the filter-normalized random direction, and with switches λmax and the trace
/// of the Hessian. -OutFile collects every checkpoint's row into one CSV or JSON file for sweeps.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LandscapeSharpness", SupportsShouldProcess = true)]
[OutputType(typeof(LandscapeSharpness))]
public sealed class GetLandscapeSharpnessCommand : EvaluationCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<SharpnessResult> results = [];
    private string? outFile;
    private bool refused;

    /// <summary>ρ of the adaptive measures, relative to |w|.</summary>
    [Parameter]
    [ValidateRange(1e-12, 1e6)]
    public double Rho { get; set; } = 0.1;

    [Parameter]
    public SharpnessNorm Norm { get; set; } = SharpnessNorm.L2;

    /// <summary>Antithetic draws per batch of the average case.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int Samples { get; set; } = 100;

    /// <summary>Ascent iterations of the worst-case measures.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Iterations { get; set; } = 20;

    /// <summary>Ascents per batch: restart 0 starts at δ = 0, the others at random points of the set.</summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Restarts { get; set; } = 1;

    /// <summary>ε of Keskar et al.'s measure.</summary>
    [Parameter]
    [ValidateRange(1e-12, 1e6)]
    public double Epsilon { get; set; } = 1e-3;

    /// <summary>h of the second difference along the direction.</summary>
    [Parameter]
    [ValidateRange(1e-12, 1e6)]
    public double CurvatureStep { get; set; } = 0.04;

    /// <summary>Seeds the draws, the restarts and the direction (as New-LandscapeDirection -Seed).</summary>
    [Parameter]
    public long Seed { get; set; } = DirectionRecipe.DefaultSeed;

    /// <summary>Also λmax of the Hessian (Lanczos): many Hessian-vector products.</summary>
    [Parameter]
    public SwitchParameter MaxEigenvalue { get; set; }

    /// <summary>Also the Hutchinson trace of the Hessian: -Probes Hessian-vector products.</summary>
    [Parameter]
    public SwitchParameter Trace { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Probes { get; set; } = 30;

    [Parameter]
    [ValidateRange(1e-12, 0.5)]
    public double LanczosTolerance { get; set; } = 1e-6;

    /// <summary>Compute in float64 (small models; exactness).</summary>
    [Parameter]
    public SwitchParameter Float64 { get; set; }

    /// <summary>A .csv or .json file that receives one row per checkpoint of this pipeline.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Overwrite an -OutFile that holds other results.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (OutFile is null) return;
        outFile = GetUnresolvedProviderPathFromPSPath(OutFile);
        // Checked before anything is computed: a sweep must not run for hours into a file it cannot write.
        if (SharpnessReport.FormatOf(outFile) is null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-OutFile '{OutFile}' must end in .csv or .json."), ErrorIds.SharpnessInvalid, ErrorCategory.InvalidArgument, OutFile));
        }
        // Asked before the (long) computation, as Get-HessianSpectrum does: under -WhatIf, or when declined, nothing is computed.
        refused = !FolderExistsFor(outFile) || !ShouldProcess(outFile, "Write the sharpness of the piped checkpoints");
    }

    /// <summary>The spec these parameters describe. Unlike the surfaces, every parameter is perturbed unless -IgnoreBiasAndNorm is given explicitly, as Andriushchenko et al. do.</summary>
    /// <exception cref="SpecException">The parameters contradict each other.</exception>
    private SharpnessSpec BindSpec() => new()
    {
        Evaluation = BindEvaluation(Checkpoint.Info) with { IgnoreBiasAndNorm = MyInvocation.BoundParameters.ContainsKey(nameof(IgnoreBiasAndNorm)) && IgnoreBiasAndNorm },
        Rho = Rho,
        Norm = Norm,
        Samples = Samples,
        Ascent = new AscentSchedule { Iterations = Iterations, Restarts = Restarts },
        Epsilon = Epsilon,
        CurvatureStep = CurvatureStep,
        Seed = Seed,
        MaxEigenvalue = MaxEigenvalue,
        Trace = Trace,
        Probes = Probes,
        LanczosTolerance = LanczosTolerance,
        Float64 = Float64,
    };

    protected override void ProcessRecord()
    {
        if (refused) return;
        SharpnessSpec spec;
        try
        {
            spec = BindSpec();
            spec.Validate();
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.SharpnessInvalid, Checkpoint));
            return;
        }
        var progress = new ProgressReporter(this, $"Sharpness of {Checkpoint.Name}");
        var clock = Stopwatch.StartNew();
        // libtorch's thread count is per calling thread: this pipeline thread's is set for the analysis and restored after it.
        if (ThreadCount is { } threads) Runtime.ApplyThreadCount(threads);
        try
        {
            var result = new SharpnessAnalysis(Runtime, Checkpoint.Info, spec).Run(
                evaluations => progress.Report($"{evaluations} evaluations", 0), SelectedDevice, stopping.Token);
            WriteVerbose($"Sharpness over {result.SampleCount} samples of {result.Data} in {result.BatchCount} batch(es) of m = {spec.Evaluation.BatchSize}, {result.Dimension} perturbed coordinates; {result.Evaluations} evaluations.");
            results.Add(result);
            WriteObject(ToObject(result, clock.Elapsed));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.SharpnessInvalid, Checkpoint));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or CheckpointException)
        {
            WriteError(e, ErrorIds.SharpnessInvalid, ErrorCategory.InvalidArgument, Checkpoint);
        }
        finally
        {
            if (ThreadCount is not null) Runtime.ApplyThreadCount();
            progress.Complete();
        }
    }

    protected override void EndProcessing()
    {
        if (outFile is null || refused || results.Count == 0) return;
        var bytes = SharpnessReport.Render(outFile, results);
        if (File.Exists(outFile) && !Force)
        {
            // A rerun of the same sweep is idempotent; anything else is never overwritten by accident.
            if (File.ReadAllBytes(outFile).AsSpan().SequenceEqual(bytes))
            {
                WriteVerbose($"{outFile} already holds these results; kept as it is.");
                return;
            }
            WriteError(new IOException($"'{outFile}' exists and holds other results; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, outFile);
            return;
        }
        try
        {
            AtomicFile.WriteAllBytes(outFile, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, outFile);
        }
    }

    private LandscapeSharpness ToObject(SharpnessResult result, TimeSpan elapsed) => new()
    {
        Checkpoint = Checkpoint,
        Dataset = $"{result.Data} ({result.SampleCount})",
        SampleCount = result.SampleCount,
        BatchSize = result.Spec.Evaluation.BatchSize,
        BatchCount = result.BatchCount,
        Dimension = result.Dimension,
        Perturbed = result.Spec.Evaluation.IgnoreBiasAndNorm ? "filters" : "all",
        Loss = result.Loss,
        Rho = result.Spec.Rho,
        Norm = result.Spec.Norm,
        AverageCase = result.Average.Value,
        AverageCaseStandardError = result.Average.StandardError ?? 0,
        Samples = result.Spec.Samples,
        WorstCase = result.WorstCase.Value,
        Iterations = result.Spec.Ascent.Iterations,
        Restarts = result.Spec.Ascent.Restarts,
        AscentSchedule = result.Spec.Ascent.ToString(),
        Keskar = result.Keskar.Value,
        Epsilon = result.Spec.Epsilon,
        DirectionCurvature = result.DirectionCurvature,
        SecondDifference = result.SecondDifference,
        CurvatureStep = result.Spec.CurvatureStep,
        Direction = result.Direction,
        MaxEigenvalue = result.MaxEigenvalue,
        Trace = result.Trace?.Trace,
        TraceStandardError = result.Trace?.StandardError,
        Seed = result.Spec.Seed,
        Float64 = result.Spec.Float64,
        Measures = SharpnessMeasure.Of(result).ToArray(),
        Evaluations = result.Evaluations,
        Elapsed = elapsed,
    };
}
