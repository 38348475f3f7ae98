using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Trains a model of the zoo and writes a checkpoint per epoch (epoch 0 is the initialisation), or at
/// chosen steps, emitting a <see cref="Checkpoint"/> for each. Rerunning the same command in the same
/// folder resumes after the last finished checkpoint.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LandscapeTraining", SupportsShouldProcess = true)]
[OutputType(typeof(Checkpoint))]
public sealed class InvokeLandscapeTrainingCommand : ComputeCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ArchitectureCompleter))]
    [Alias("Architecture")]
    [ValidateArchitecture]
    public string Model { get; set; } = "DigitsCnn";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    [DatasetTransformation]
    public LandscapeDataset? Dataset { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 100_000)]
    public int Epochs { get; set; } = 10;

    /// <summary>Run length in optimizer steps (batches) instead of -Epochs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 100_000_000)]
    public int Steps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("OutDir")]
    public string? OutputDirectory { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long Seed { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = 64;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double LearningRate { get; set; } = 0.1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double Momentum { get; set; } = 0.9;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter Nesterov { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Epochs after which the learning rate is multiplied by -LearningRateDecay.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int[] LearningRateMilestones { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double LearningRateDecay { get; set; } = 0.1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LearningRateSchedule LearningRateSchedule { get; set; }

    /// <summary>The floor of the Cosine schedule.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double MinimumLearningRate { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, int.MaxValue)]
    public int WarmupSteps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double? Beta1 { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double? Beta2 { get; set; }

    /// <summary>A checkpoint every this many steps (and at the last) instead of one per epoch.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int CheckpointEvery { get; set; }

    /// <summary>At most this many checkpoints at log-spaced steps instead of one per epoch.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(3, 100_000)]
    public int LogCheckpointCount { get; set; }

    /// <summary>Stop once the test accuracy (percent) reaches this on -StopAfterConsecutive consecutive checkpoints.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public double? StopAtTestAccuracy { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1000)]
    public int StopAfterConsecutive { get; set; } = 2;

    /// <summary>Train on a seeded random subset of this many training samples.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    /// <summary>Hidden layer widths of Mlp.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int[]? HiddenWidth { get; set; }

    /// <summary>Width factor k of WideResNet56; by default the zoo's (2, as Get-LandscapeModel and Import-Checkpoint assume).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 64)]
    public int? WidthFactor { get; set; }

    /// <summary>Transformer blocks of Gpt (n_layer); by default the zoo's.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 256)]
    public int? LayerCount { get; set; }

    /// <summary>Attention heads per block of Gpt (n_head); they must divide -EmbeddingWidth.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 256)]
    public int? HeadCount { get; set; }

    /// <summary>Residual width of Gpt (n_embd).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65_536)]
    public int? EmbeddingWidth { get; set; }

    /// <summary>Learned positions of Gpt (n_positions); by default the data set's sequence length.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1_048_576)]
    public int? ContextLength { get; set; }

    /// <summary>libtorch intra-op threads for this and later commands of the process (Set-LandscapeSetting).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int? ThreadCount { get; set; }

    /// <summary>Delete this run's checkpoints in the folder and train from scratch instead of resuming (alias -Force, as on the other cmdlets that write files).</summary>
    [Parameter]
    [Alias("Force")]
    public SwitchParameter Restart { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ThreadCount is { } threads) Runtime.ThreadCount = threads;
    }

    protected override void ProcessRecord()
    {
        TrainingOptions options;
        string directory;
        try
        {
            options = BuildOptions();
            directory = GetUnresolvedProviderPathFromPSPath(OutputDirectory ?? System.IO.Path.Combine("runs", $"{options.Model.Architecture}-seed{Seed}"));
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.TrainingArgumentInvalid, ErrorCategory.InvalidArgument, Model);
            return;
        }

        var dataset = options.Dataset;
        WriteVerbose($"Seed {options.Seed}; data {dataset}; {Runtime.ThreadCount} thread(s); checkpoints to {directory}.");
        var length = options.Steps > 0 ? $"{options.Steps} step(s)" : $"{options.Epochs} epoch(s)";
        if (!ShouldProcess(directory, $"Train {options.Model.Architecture} for {length} and write checkpoints")) return;

        var observer = new CmdletTrainingObserver(this, $"Training {options.Model.Architecture}", "Epoch", "loss");
        RunTraining(() => Trainer.Run(Runtime, options, directory, observer, Restart, SelectedDevice, stopping.Token), observer, directory, ErrorIds.TrainingArgumentInvalid, Model);
    }

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    private TrainingOptions BuildOptions()
    {
        if (Steps > 0 && MyInvocation.BoundParameters.ContainsKey(nameof(Epochs)))
            throw new ArgumentException("Give -Epochs or -Steps, not both: they are two ways to say how long the run is.");
        if (StopAtTestAccuracy is null && MyInvocation.BoundParameters.ContainsKey(nameof(StopAfterConsecutive)))
            throw new ArgumentException("-StopAfterConsecutive counts evaluations at -StopAtTestAccuracy; give that too.");
        // -Model was checked at binding (ValidateArchitecture): this only restores the zoo's spelling.
        var architecture = ModelZoo.Architectures.First(a => string.Equals(a, Model, StringComparison.OrdinalIgnoreCase));
        var dataset = Dataset ?? LandscapeDataset.Resolve(Runtime.DatasetCache, new DatasetReference(DigitsData.Name));
        var reference = dataset.Reference with { Split = DatasetSplit.Train, MaxSamples = MaxSamples ?? dataset.MaxSamples };
        var spec = ModelSpecFor(architecture, dataset);
        if (HiddenWidth is not null) spec = spec with { HiddenWidths = HiddenWidth };
        var options = new TrainingOptions
        {
            Model = spec,
            Dataset = reference,
            Epochs = Epochs,
            BatchSize = BatchSize,
            Optimizer = Optimizer,
            LearningRate = LearningRate,
            Momentum = Momentum,
            Nesterov = Nesterov,
            WeightDecay = WeightDecay,
            LearningRateMilestones = LearningRateMilestones,
            LearningRateDecay = LearningRateDecay,
            Seed = Seed,
            Steps = Steps,
            Schedule = LearningRateSchedule,
            MinimumLearningRate = MinimumLearningRate,
            WarmupSteps = WarmupSteps,
            Beta1 = Beta1,
            Beta2 = Beta2,
            CheckpointEvery = CheckpointEvery,
            LogCheckpointCount = LogCheckpointCount,
            StopAt = StopAtTestAccuracy is { } accuracy ? new EarlyStop(accuracy, StopAfterConsecutive) : null,
        };
        options.Validate();
        ParameterLayout.Of(Runtime, spec);
        return options;
    }

    /// <summary>The zoo's spec sized to the data: the image shape and classes, or for Gpt the vocabulary and (by default) the sequence length.</summary>
    private ModelSpec ModelSpecFor(string architecture, LandscapeDataset dataset)
    {
        var defaults = ModelZoo.DefaultSpec(architecture);
        var transformerShape = new (string Name, int? Value)[] { (nameof(LayerCount), LayerCount), (nameof(HeadCount), HeadCount), (nameof(EmbeddingWidth), EmbeddingWidth), (nameof(ContextLength), ContextLength) };
        if (architecture != nameof(Gpt))
        {
            if (transformerShape.FirstOrDefault(p => p.Value is not null).Name is { } given)
                throw new ArgumentException($"-{given} sizes the Gpt transformer; {architecture} has no such dimension.");
            return defaults with
            {
                InputChannels = dataset.Channels,
                InputHeight = dataset.Height,
                InputWidth = dataset.Width,
                ClassCount = dataset.ClassCount,
                WidthFactor = WidthFactor ?? defaults.WidthFactor,
            };
        }
        if (dataset.SequenceLength is not { } sequenceLength)
            throw new ArgumentException($"Gpt reads token sequences, but {dataset.Name} holds {dataset.Shape} images; give a token data set (Get-LandscapeDataset ModularArithmetic, or a folder of -Format TokenBin or Npy).");
        return defaults with
        {
            ClassCount = dataset.ClassCount,
            LayerCount = LayerCount ?? defaults.LayerCount,
            HeadCount = HeadCount ?? defaults.HeadCount,
            EmbeddingWidth = EmbeddingWidth ?? defaults.EmbeddingWidth,
            ContextLength = ContextLength ?? sequenceLength,
        };
    }
}
