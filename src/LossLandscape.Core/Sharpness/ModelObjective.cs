using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// A model's mean loss over consecutive batches of <c>m</c> samples, in eval mode (BatchNorm uses its
/// running statistics, dropout is off), as Andriushchenko et al. evaluate sharpness.
/// </summary>
public sealed class ModelObjective : SharpnessObjective, IDisposable
{
    private readonly nn.Module model;
    private readonly (Tensor Inputs, Tensor Labels)[] batches;
    private readonly LossFunction lossFunction;
    private readonly long targetCount;
    private readonly long[] batchTargets;
    private readonly Parameter[] parameters;

    /// <param name="model">Evaluated in its current dtype and device; it is put in eval mode.</param>
    /// <param name="batchSize">m: the samples per batch; the last batch holds the rest.</param>
    /// <param name="weightsOnly">True: only parameters with more than one dimension (filters); false: all, biases and BatchNorm γ/β included.</param>
    /// <param name="subset">Only these parameters (-Parameter), within <paramref name="weightsOnly"/>; the rest stay at θ*.</param>
    /// <exception cref="Specs.SpecException">A <paramref name="subset"/> pattern names no parameter, or the subset leaves nothing.</exception>
    public ModelObjective(nn.Module model, PreloadedDataset data, int batchSize, LossFunction lossFunction = LossFunction.CrossEntropy, bool weightsOnly = false, ParameterSubset? subset = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
        var chosen = HessianOperator.Choose(model, weightsOnly, subset);
        if (chosen.Length == 0) throw new ArgumentException(weightsOnly ? "The model has no parameter with more than one dimension." : "The model has no parameters.", nameof(model));
        if (chosen.FirstOrDefault(p => !p.parameter.requires_grad) is { name: { } frozen })
            throw new ArgumentException($"Parameter '{frozen}' does not require a gradient.", nameof(model));
        this.model = model;
        this.lossFunction = lossFunction;
        model.eval();
        parameters = chosen.Select(p => p.parameter).ToArray();
        ParameterNames = chosen.Select(p => p.name).ToArray();
        var dtype = parameters[0].dtype;
        var device = DevicePlacement.DeviceOf(model);
        targetCount = data.MaskedTargetCount;
        // Converted once: the batches are evaluated many times (every ascent step and every sample).
        batches = data.Batches(batchSize).Select(b => (Own(b.Inputs, b.Inputs.ToModelInput(dtype, device)), Own(b.Labels, b.Labels.to(device)))).ToArray();
        // A batch's share of the mean loss: its images, or for tokens its masked positions (as Evaluation weighs them).
        batchTargets = batches.Select(b => data.TargetCount(b.Labels)).ToArray();
    }

    /// <summary>Keeps <paramref name="converted"/>, and frees the batch view it was made from when the conversion copied it.</summary>
    private static Tensor Own(Tensor view, Tensor converted)
    {
        if (!ReferenceEquals(view, converted)) view.Dispose();
        return converted;
    }

    /// <summary>The names of <see cref="Parameters"/>, in order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    public override IReadOnlyList<Parameter> Parameters => parameters;

    public override int BatchCount => batches.Length;

    public override double BatchWeight(int batch) => (double)batchTargets[batch] / targetCount;

    public override Tensor Loss(int batch)
    {
        var (inputs, labels) = batches[batch];
        return Evaluation.Loss(model.Forward(inputs), labels, lossFunction);
    }

    public void Dispose()
    {
        foreach (var (inputs, labels) in batches)
        {
            inputs.Dispose();
            labels.Dispose();
        }
    }
}
