using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// Multilayer perceptron: flatten, then Linear + ReLU per hidden width, then a Linear to the classes.
/// All layers live in one Sequential named <c>layers</c>, as PyTorch's <c>nn.Sequential</c> would name
/// them: Linear weights are <c>layers.0.weight</c>, <c>layers.2.weight</c>, ... (the ReLUs take the odd
/// indices). No hidden widths gives a linear (softmax-regression) classifier.
/// </summary>
public sealed class Mlp : PyTorchOrderedModule
{
    private readonly Module<Tensor, Tensor> layers;

    public Mlp(long inputFeatures, IReadOnlyList<int> hiddenWidths, long classCount) : base(nameof(Mlp))
    {
        var stack = new List<Module<Tensor, Tensor>>();
        var width = inputFeatures;
        foreach (var hidden in hiddenWidths)
        {
            stack.Add(Linear(width, hidden));
            stack.Add(ReLU());
            width = hidden;
        }
        stack.Add(Linear(width, classCount));
        layers = Sequential(stack);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var flat = input.flatten(1);
        return layers.call(flat);
    }
}
