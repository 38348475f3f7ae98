using System.Text.Json.Serialization;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Specs;

/// <summary>
/// How a checkpoint is evaluated, declared once for every computation that evaluates one (surfaces,
/// their cluster tasks, the Hessian): the checkpoint, the data (set, split, subset), the loss, the
/// batch size, which parameters count and the BatchNorm policy. Immutable and JSON-serialisable, so a
/// cluster task reads exactly what was asked.
/// </summary>
public sealed record EvaluationSpec
{
    public required CheckpointSource Checkpoint { get; init; }

    /// <summary>The data set with its subset (<see cref="DatasetReference.MaxSamples"/>, <see cref="DatasetReference.SubsetSeed"/>); its split is set by <see cref="Split"/>.</summary>
    public required DatasetReference Data { get; init; }

    public EvaluationSplit Split { get; init; } = EvaluationSplit.Train;

    public LossFunction LossFunction { get; init; } = LossFunction.CrossEntropy;

    public int BatchSize { get; init; } = Evaluation.DefaultBatchSize;

    /// <summary>Leave biases and BatchNorm parameters out: random directions are zero there, and Hessians are over the weights only (the paper code's choice).</summary>
    public bool IgnoreBiasAndNorm { get; init; } = true;

    /// <summary>Perturb and differentiate only these parameters (-Parameter); the rest stay at θ*. Null: all (within <see cref="IgnoreBiasAndNorm"/>).</summary>
    public ParameterSubset? Parameters { get; init; }

    /// <summary>Fold each BatchNorm into the convolution before it for forward-only evaluation (values move by float rounding, about 1e-7 relative).</summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>
    /// Which statistics BatchNorm normalizes with at each evaluated point. Null: θ*'s running ones, or
    /// moved with the weights when the directions carry them (<see cref="BatchNormStatistics.Interpolate"/>).
    /// </summary>
    public BatchNormStatistics? BatchNormStatistics { get; init; }

    /// <summary>With <see cref="Directions.BatchNormStatistics.Reset"/>: k, the training batches the statistics are recomputed from at each point; null for every batch of the training split.</summary>
    public int? BatchNormResetBatches { get; init; }

    /// <summary>The samples <see cref="Directions.BatchNormStatistics.Reset"/> recomputes from: the training split of <see cref="Data"/>, subset included, in batches of <see cref="BatchSize"/>.</summary>
    [JsonIgnore]
    public DatasetReference BatchNormResetData => Data with { Split = DatasetSplit.Train };

    /// <summary>Evaluate around a checkpoint holding NaN or infinite values.</summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>The data splits evaluated, in the order their values are stored.</summary>
    [JsonIgnore]
    public IReadOnlyList<DatasetReference> Splits => Split switch
    {
        EvaluationSplit.Test => [Data with { Split = DatasetSplit.Test }],
        EvaluationSplit.Both => [Data with { Split = DatasetSplit.Train }, Data with { Split = DatasetSplit.Test }],
        _ => [Data with { Split = DatasetSplit.Train }],
    };

    /// <summary>
    /// The data a spec evaluates: <paramref name="dataset"/>, else the one the checkpoint names. Without
    /// <paramref name="maxSamples"/> it is exactly that set, subset included (a checkpoint trained on a
    /// subset is evaluated on it); with it, a seeded subset of that many samples by <paramref name="subsetSeed"/>.
    /// </summary>
    /// <exception cref="SpecException">No data set is given and the checkpoint names none.</exception>
    public static DatasetReference DataFor(CheckpointInfo checkpoint, DatasetReference? dataset, int? maxSamples, long subsetSeed)
    {
        var chosen = dataset ?? checkpoint.Metadata.Dataset
            // The file name with its extension: the bare stem of an exported 'digits.pt' read as if Digits were the data.
            ?? throw new SpecException(SpecProblem.Data, $"The checkpoint file '{Path.GetFileName(checkpoint.StatePath)}' records no data set to evaluate on (PyTorch, safetensors and TorchScript files carry only the model); pass -Dataset, e.g. -Dataset Digits.");
        return maxSamples is null ? chosen : chosen with { MaxSamples = maxSamples, SubsetSeed = subsetSeed };
    }

    /// <exception cref="SpecException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!Path.IsPathFullyQualified(Checkpoint.Path)) throw new SpecException(SpecProblem.Argument, $"The checkpoint path must be absolute (got '{Checkpoint.Path}').");
        if (BatchSize < 1) throw new SpecException(SpecProblem.Argument, $"The batch size must be at least 1 (got {BatchSize}).");
        if (Data.MaxSamples < 1) throw new SpecException(SpecProblem.Argument, $"The subset size must be at least 1 (got {Data.MaxSamples}).");
        if (Data.Path is { } folder && !Path.IsPathFullyQualified(folder)) throw new SpecException(SpecProblem.Argument, $"The data folder must be absolute (got '{folder}').");
        if (BatchNormResetBatches is { } k && (k < 1 || BatchNormStatistics != Directions.BatchNormStatistics.Reset))
            throw new SpecException(SpecProblem.Argument, k < 1 ? $"-BatchNormResetBatches must be at least 1 (got {k})." : "-BatchNormResetBatches counts the batches -BatchNormStatistics Reset recomputes from; give -BatchNormStatistics Reset with it.");
        if (FoldBatchNorm && BatchNormStatistics is Directions.BatchNormStatistics.Reset or Directions.BatchNormStatistics.Batch)
            throw new SpecException(SpecProblem.Argument, $"-FoldBatchNorm bakes the running statistics into the convolutions; -BatchNormStatistics {BatchNormStatistics} normalizes with other statistics. Leave one out.");
    }

    /// <summary>The BatchNorm statistics at points along directions, checked against the directions: only directions that move the running statistics (-Target with Interpolate) are evaluated with them moved, and those always are.</summary>
    /// <exception cref="SpecException">The mode contradicts the directions.</exception>
    public Directions.BatchNormStatistics BatchNormStatisticsFor(bool directionsMoveStatistics) => (BatchNormStatistics, directionsMoveStatistics) switch
    {
        (null, true) or (Directions.BatchNormStatistics.Interpolate, true) => Directions.BatchNormStatistics.Interpolate,
        (null, false) => Directions.BatchNormStatistics.Running,
        (Directions.BatchNormStatistics.Interpolate, false) => throw new SpecException(SpecProblem.Direction, "-BatchNormStatistics Interpolate moves the running statistics along a -Target direction that carries them (made with -Target and -BatchNormStatistics Interpolate); these directions do not.") { Value = nameof(Directions.BatchNormStatistics.Interpolate) },
        ({ } mode, true) => throw new SpecException(SpecProblem.Direction, $"These directions move the BatchNorm running statistics with the weights (made with -BatchNormStatistics Interpolate); -BatchNormStatistics {mode} contradicts them. Leave it out, or make the direction without Interpolate.") { Value = mode.ToString() },
        ({ } mode, false) => mode,
    };

    /// <summary>
    /// Refuses <see cref="BatchNormStatistics"/> modes a computation does not define (sharpness and
    /// gradients through batch statistics, for instance), saying what it supports instead.
    /// </summary>
    /// <exception cref="SpecException">The mode is not among <paramref name="supported"/>.</exception>
    public void RequireBatchNormStatistics(string computation, params BatchNormStatistics[] supported)
    {
        if (BatchNormStatistics is { } mode && !supported.Contains(mode))
            throw new SpecException(SpecProblem.Argument, $"{computation} supports -BatchNormStatistics {string.Join(" or ", supported)}, not {mode}.") { Value = mode.ToString() };
    }

    /// <summary>The splits to evaluate, checked against the checkpoint: its values are finite (unless allowed), <see cref="Parameters"/> names some of its parameters, and its model takes the data's inputs and classes.</summary>
    /// <exception cref="SpecException">The checkpoint is not finite, a -Parameter pattern matches nothing, or the data does not fit its model.</exception>
    /// <exception cref="InvalidDataException">A data file cannot be read.</exception>
    public IReadOnlyList<DatasetReference> PlanData(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        Checkpoint.CheckIs(checkpoint);
        if (checkpoint.NonFiniteCount > 0 && !AllowNonFinite)
            throw new SpecException(SpecProblem.NonFinite, $"{checkpoint.StatePath} holds {checkpoint.NonFiniteCount} NaN or infinite value(s); everything evaluated around it would be undefined. Use -AllowNonFinite to compute it anyway.");
        // Checked here, before any computation starts, with the rule every engine selects by.
        if (Parameters is { } subset)
            ParameterSubset.Choose(ParameterLayout.Of(runtime, checkpoint).Parameters, e => e.Name, e => e.Role == ParameterRole.Filter, IgnoreBiasAndNorm, subset);
        var splits = Splits;
        if (BatchNormStatistics is Directions.BatchNormStatistics.Reset or Directions.BatchNormStatistics.Batch)
            CheckBatchNormStatistics(runtime, checkpoint, BatchNormStatistics.Value == Directions.BatchNormStatistics.Reset ? [BatchNormResetData] : splits);
        var model = checkpoint.Metadata.Model;
        // A TorchScript model states no input shape; the engines try one sample before they start.
        if (checkpoint.Format == CheckpointFormat.TorchScript) return splits;
        foreach (var split in splits)
        {
            var arrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, split);
            if (TokenDataFit.Problem(model, arrays) is { } problem) throw new SpecException(SpecProblem.Data, $"{split}: {problem}");
            if (arrays.IsTokenData) continue;
            if (arrays.Channels != model.InputChannels || arrays.Height != model.InputHeight || arrays.Width != model.InputWidth || arrays.ClassCount != model.ClassCount)
                throw new SpecException(SpecProblem.Data, $"{split} has {arrays.Channels}×{arrays.Height}×{arrays.Width} inputs and {arrays.ClassCount} classes; {model.Architecture} expects {model.InputChannels}×{model.InputHeight}×{model.InputWidth} and {model.ClassCount}.");
        }
        return splits;
    }

    /// <summary>Before any native call: the model has BatchNorm layers we can switch, and no training-mode batch holds a single sample (libtorch refuses one-sample statistics).</summary>
    private void CheckBatchNormStatistics(LandscapeRuntime runtime, CheckpointInfo checkpoint, IReadOnlyList<DatasetReference> batched)
    {
        var mode = BatchNormStatistics!.Value;
        if (checkpoint.Format == CheckpointFormat.TorchScript)
            throw new SpecException(SpecProblem.Argument, $"-BatchNormStatistics {mode} switches the model's BatchNorm layers, which a TorchScript model does not expose; use Running.") { Value = mode.ToString() };
        if (!ParameterLayout.Of(runtime, checkpoint).Buffers.Any(b => b.Name.EndsWith(".running_mean", StringComparison.Ordinal)))
            throw new SpecException(SpecProblem.Argument, $"-BatchNormStatistics {mode} changes BatchNorm statistics, but {checkpoint.Metadata.Model.Architecture} has no BatchNorm layer.") { Value = mode.ToString() };
        foreach (var split in batched)
        {
            var count = DatasetCatalog.LoadArrays(runtime.DatasetCache, split).Count;
            var batches = (count + BatchSize - 1) / BatchSize;
            if (count % BatchSize == 1 && (mode == Directions.BatchNormStatistics.Batch || BatchNormResetBatches is null || BatchNormResetBatches >= batches))
                throw new SpecException(SpecProblem.Argument, $"-BatchNormStatistics {mode} normalizes each batch by its own statistics, and the last batch of {split} ({count} samples in batches of {BatchSize}) holds one sample, whose variance is undefined. Choose another -BatchSize or -MaxSamples.") { Value = BatchSize };
            if (BatchNormResetBatches > batches)
                throw new SpecException(SpecProblem.Argument, $"-BatchNormResetBatches {BatchNormResetBatches} asks for more batches than {split} has ({batches} of {BatchSize}).") { Value = BatchNormResetBatches };
        }
    }
}
