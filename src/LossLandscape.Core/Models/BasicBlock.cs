using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// Residual block of the CIFAR ResNets (BasicBlock in the paper's cifar10/models/resnet.py):
/// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). The shortcut is a 1×1 convolution with
/// BatchNorm where the block changes stride or width (<c>shortcut.0</c>, <c>shortcut.1</c>), and
/// an empty Sequential (identity, no parameters) elsewhere, as in PyTorch. Without the residual
/// connection (BasicBlock_noshortcut in the paper's code, used by its "NoShort" nets to show how
/// skip connections smooth the landscape) the block is relu(bn2(conv2(relu(bn1(conv1(x)))))) and
/// has no <c>shortcut</c> module at all.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;

    /// <summary>Null without the residual connection; RegisterComponents skips it, so no name is registered.</summary>
    private readonly Module<Tensor, Tensor>? shortcut;

    /// <param name="residual">False for the paper's BasicBlock_noshortcut.</param>
    public BasicBlock(long inputPlanes, long planes, long stride, bool residual = true) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inputPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = new FoldableBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn2 = new FoldableBatchNorm2d(planes);
        if (residual)
        {
            shortcut = stride != 1 || inputPlanes != planes
                ? Sequential(Conv2d(inputPlanes, planes, kernel_size: 1, stride: stride, bias: false), new FoldableBatchNorm2d(planes))
                : Sequential(Array.Empty<Module<Tensor, Tensor>>());
        }
        RegisterComponents();
    }

    /// <summary>Whether the block adds its input back (false for the paper's NoShort nets).</summary>
    public bool Residual => shortcut is not null;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // In place, as torchvision's blocks do: the maps are this forward's own temporaries and no
        // backward needs them unmodified (BatchNorm's keeps its input), so the values are the same
        // and two passes fewer allocate and write fresh memory.
        var hidden = functional.relu(bn1.call(conv1.call(input)), inplace: true);
        hidden = bn2.call(conv2.call(hidden));
        if (shortcut is not null) hidden = hidden.add_(shortcut.call(input));
        return functional.relu(hidden, inplace: true).MoveToOuterDisposeScope();
    }
}
