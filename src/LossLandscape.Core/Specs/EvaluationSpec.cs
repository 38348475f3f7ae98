using System.Text.Json.Serialization;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
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
        var model = checkpoint.Metadata.Model;
        // A TorchScript model states no input shape; the engines try one sample before they start.
        if (checkpoint.Format == CheckpointFormat.TorchScript) return splits;
        foreach (var split in splits)
        {
            var arrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, split);
            if (arrays.Channels != model.InputChannels || arrays.Height != model.InputHeight || arrays.Width != model.InputWidth || arrays.ClassCount != model.ClassCount)
                throw new SpecException(SpecProblem.Data, $"{split} has {arrays.Channels}×{arrays.Height}×{arrays.Width} inputs and {arrays.ClassCount} classes; {model.Architecture} expects {model.InputChannels}×{model.InputHeight}×{model.InputWidth} and {model.ClassCount}.");
        }
        return splits;
    }
}
