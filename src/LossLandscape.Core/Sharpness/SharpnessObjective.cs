using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// What the sharpness measures perturb and evaluate: a set of parameters and a loss split into
/// consecutive batches (the m of m-sharpness). A model on data is one (<see cref="ModelObjective"/>);
/// a loss with a closed form is another, so the measures can be checked against exact values with the
/// very code that measures networks.
/// </summary>
public abstract class SharpnessObjective
{
    /// <summary>The perturbed parameters; flat vectors list their entries in this order.</summary>
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    public abstract int BatchCount { get; }

    /// <summary>The share of the samples in <paramref name="batch"/>: per-batch values are averaged with these weights, which sum to 1.</summary>
    public abstract double BatchWeight(int batch);

    /// <summary>The batch's mean loss at the parameters' current values: a scalar, differentiable with respect to <see cref="Parameters"/> when gradients are enabled.</summary>
    public abstract Tensor Loss(int batch);
}
