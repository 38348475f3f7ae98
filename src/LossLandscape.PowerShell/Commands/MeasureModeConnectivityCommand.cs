using System.Diagnostics;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Connectivity;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// How well two minima connect: loss and error along θ(t) = θ_A + t (θ_B − θ_A), with both barrier
/// definitions of each, per split, and with -GroupBy per layer or block. BatchNorm statistics are
/// recomputed at every t by default (Reset), where the model has BatchNorm. With -Bend, along the
/// curve through it instead (Garipov et al., NeurIPS 2018).
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "ModeConnectivity", SupportsShouldProcess = true)]
[OutputType(typeof(ModeConnectivity))]
public sealed class MeasureModeConnectivityCommand : EvaluationCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>θ_B, reached at t = 1.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Target { get; set; } = null!;

    /// <summary>The bend of a curve from Invoke-CurveTraining: the path is that curve instead of the line.</summary>
    [Parameter]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint? Bend { get; set; }

    /// <summary>The curve through -Bend; by default the one the bend was trained for.</summary>
    [Parameter]
    public CurveKind Curve { get; set; } = CurveKind.Bezier;

    /// <summary>Points of t on [0, 1], both ends included.</summary>
    [Parameter]
    [ValidateRange(2, 10_001)]
    public int Steps { get; set; } = 11;

    /// <summary>Also the barrier of each layer's or block's own path, the rest of the model at θ_A.</summary>
    [Parameter]
    public HessianGrouping? GroupBy { get; set; }

    /// <summary>HDF5 surface file of the whole path: resumable, and reused when complete.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Compute the path anew and replace -OutFile when complete, instead of resuming or reusing it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Points of t evaluated at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = GetLossSurfaceCommand.DefaultWorkers;

    protected override void ProcessRecord()
    {
        ConnectivitySpec spec;
        CurveKind curve;
        string? outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
        try
        {
            var evaluation = BindEvaluation(Checkpoint.Info);
            // Train and test unless told: the generalization side of a barrier is half the question.
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Split))) evaluation = evaluation with { Split = EvaluationSplit.Both };
            curve = MyInvocation.BoundParameters.ContainsKey(nameof(Curve)) ? Curve : Bend?.Info.Metadata.CurveTraining?.Curve ?? CurveKind.Bezier;
            spec = new ConnectivitySpec { Evaluation = evaluation, Target = CheckpointSource.Of(Target.Info), Steps = Steps, GroupBy = GroupBy, Bend = Bend is null ? null : CheckpointSource.Of(Bend.Info), Curve = curve };
            spec.Validate();
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.ModeConnectivityInvalid, Checkpoint));
            return;
        }
        if (outFile is not null && !FolderExistsFor(outFile)) return;
        if (Bend?.Info.Metadata.CurveTraining is { } trained && !trained.Connects(Checkpoint.Info.Metadata.StateSha256, Target.Info.Metadata.StateSha256))
            WriteWarning($"{Bend.Name} was trained for a curve between other checkpoints than {Checkpoint.Name} and {Target.Name}; the curve through it is evaluated all the same.");
        if (!ShouldProcess(outFile ?? Checkpoint.Path, Bend is null ? $"Evaluate the path from {Checkpoint.Name} to {Target.Name}" : $"Evaluate the {curve} curve from {Checkpoint.Name} through {Bend.Name} to {Target.Name}")) return;
        var observer = new CmdletSurfaceObserver(this, $"Path {Checkpoint.Name} → {Target.Name}");
        var clock = Stopwatch.StartNew();
        try
        {
            var result = ConnectivityAnalysis.Run(Runtime, spec, new RunOptions { Device = SelectedDevice, Workers = ThrottleLimit, ThreadsPerPoint = ThreadCount }, observer, outFile, Force, stopping.Token);
            WriteObject(new ModeConnectivity(Checkpoint, Target, result, clock.Elapsed, Bend, curve));
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (SpecException e)
        {
            WriteError(SpecError(e, ErrorIds.ModeConnectivityInvalid, Checkpoint));
        }
        catch (SurfaceSettingsMismatchException e)
        {
            WriteError(e, ErrorIds.SurfaceSettingsMismatch, ErrorCategory.ResourceExists, outFile);
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException)
        {
            WriteError(e, ErrorIds.ModeConnectivityInvalid, ErrorCategory.InvalidArgument, Checkpoint);
        }
        finally
        {
            observer.Complete();
        }
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();
}
