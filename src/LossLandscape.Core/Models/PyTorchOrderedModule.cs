using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Models;

/// <summary>
/// Base of the zoo models. TorchSharp's <c>state_dict()</c> lists every parameter of the whole tree
/// before any buffer; PyTorch lists, module by module, its parameters, then its persistent buffers,
/// then its children. The zoo models use PyTorch's order so that positional file formats and the
/// paper's checkpoints line up entry for entry. Keys and tensors are the same as TorchSharp's.
/// </summary>
public abstract class PyTorchOrderedModule(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <inheritdoc/>
    /// <remarks>As TorchSharp does, a non-empty <paramref name="prefix"/> is joined to the keys with a dot.</remarks>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= new Dictionary<string, Tensor>();
        AddState(this, string.IsNullOrEmpty(prefix) ? string.Empty : prefix + ".", destination);
        return destination;
    }

    private static void AddState(nn.Module module, string prefix, Dictionary<string, Tensor> destination)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
            destination.TryAdd(prefix + name, parameter);
        foreach (var (name, buffer) in module.named_buffers(recurse: false, include_nonpersistent: false))
            destination.TryAdd(prefix + name, buffer);
        foreach (var (name, child) in module.named_children())
            AddState(child, prefix + name + ".", destination);
    }
}
