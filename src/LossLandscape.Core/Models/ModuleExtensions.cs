using static TorchSharp.torch;

namespace LossLandscape.Core.Models;

public static class ModuleExtensions
{
    /// <summary>
    /// Runs a model of either kind we load — a zoo <c>Module&lt;Tensor, Tensor&gt;</c> or a TorchScript
    /// <c>ScriptModule&lt;Tensor, Tensor&gt;</c>; both implement <c>IModule&lt;Tensor, Tensor&gt;</c> but share no other base.
    /// </summary>
    public static Tensor Forward(this nn.Module model, Tensor input) => model is nn.IModule<Tensor, Tensor> callable
        ? callable.call(input)
        : throw new ArgumentException($"{model.GetType().Name} does not map one tensor to one tensor.", nameof(model));

    /// <summary>
    /// A batch's inputs on <paramref name="device"/>, floating-point ones in the parameters'
    /// <paramref name="computeType"/> (float64 for exact curvature). Token ids stay int64: an
    /// embedding looks them up and cannot read floats.
    /// </summary>
    public static Tensor ToModelInput(this Tensor inputs, ScalarType computeType, Device device) =>
        inputs.is_floating_point() ? inputs.to(computeType, device) : inputs.to(device);
}
