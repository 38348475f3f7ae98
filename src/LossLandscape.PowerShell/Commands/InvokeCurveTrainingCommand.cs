using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Connectivity;
using LossLandscape.Core.Data;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Trains the bend of a quadratic Bézier curve or a one-bend polygonal chain between two fixed
/// checkpoints (Garipov et al., NeurIPS 2018) and writes the bend after every epoch (bend-000 is the
/// midpoint it starts from), emitting a <see cref="Checkpoint"/> for each. Rerunning the same command
/// in the same folder resumes after the last finished epoch.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "CurveTraining", SupportsShouldProcess = true)]
[OutputType(typeof(Checkpoint))]
public sealed class InvokeCurveTrainingCommand : LandscapeCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    /// <summary>θ_A, the curve's start (t = 0).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    /// <summary>θ_B, the curve's end (t = 1).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Target { get; set; } = null!;

    [Parameter]
    public CurveKind Curve { get; set; } = CurveKind.Bezier;

    /// <summary>Training data; by default the one θ_A was trained on, subset included.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    [DatasetTransformation]
    public LandscapeDataset? Dataset { get; set; }

    /// <summary>Train on a seeded random subset of this many training samples.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Epochs { get; set; } = 10;

    [Parameter]
    [Alias("OutDir")]
    public string? OutputDirectory { get; set; }

    [Parameter]
    public long Seed { get; set; }

    [Parameter]
    [ValidateRange(2, 1_000_000)]
    public int BatchSize { get; set; } = 64;

    [Parameter]
    public double LearningRate { get; set; } = 0.05;

    [Parameter]
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 on the bend only: the endpoints are fixed.</summary>
    [Parameter]
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>libtorch intra-op threads for this and later commands of the process (Set-LandscapeSetting).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? ThreadCount { get; set; }

    /// <summary>Delete this folder's bends and train from scratch instead of resuming (alias -Force).</summary>
    [Parameter]
    [Alias("Force")]
    public SwitchParameter Restart { get; set; }

    protected override void BeginProcessing()
    {
        EnsureRuntime();
        if (ThreadCount is { } threads) Runtime.ThreadCount = threads;
    }

    protected override void ProcessRecord()
    {
        CurveTrainingOptions options;
        string directory;
        try
        {
            var trainedOn = Checkpoint.Info.Metadata.Dataset;
            var data = Dataset?.Reference ?? trainedOn
                ?? throw new ArgumentException($"{Checkpoint.Name} names no training data set; give -Dataset.");
            options = new CurveTrainingOptions
            {
                Curve = Curve,
                StartSha256 = Checkpoint.Info.Metadata.StateSha256,
                TargetSha256 = Target.Info.Metadata.StateSha256,
                Dataset = data with { Split = DatasetSplit.Train, MaxSamples = MaxSamples ?? data.MaxSamples },
                Epochs = Epochs,
                BatchSize = BatchSize,
                LearningRate = LearningRate,
                Momentum = Momentum,
                WeightDecay = WeightDecay,
                Seed = Seed,
            };
            options.Validate();
            directory = GetUnresolvedProviderPathFromPSPath(OutputDirectory ?? System.IO.Path.Combine("runs", $"curve-{Checkpoint.Name}-{Target.Name}-{Curve}-seed{Seed}"));
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.CurveTrainingInvalid, ErrorCategory.InvalidArgument, Checkpoint);
            return;
        }

        if (!ShouldProcess(directory, $"Train the bend of a {Curve} curve from {Checkpoint.Name} to {Target.Name} for {Epochs} epoch(s) and write it per epoch")) return;
        var observer = new CmdletTrainingObserver(this, $"Training the bend of the {Curve} curve {Checkpoint.Name} → {Target.Name}", "Bend of epoch", "loss along the curve");
        RunTraining(() => CurveTrainer.Run(Runtime, options, Checkpoint.Info, Target.Info, directory, observer, Restart, stopping.Token), observer, directory, ErrorIds.CurveTrainingInvalid, Checkpoint);
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();
}
