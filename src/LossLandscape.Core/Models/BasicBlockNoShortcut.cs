using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// <see cref="BasicBlock"/> without the residual connection (BasicBlock_noshortcut in the paper's
/// code): relu(bn2(conv2(relu(bn1(conv1(x)))))). The paper's "NoShort" nets use it to show how
/// skip connections smooth the landscape.
/// </summary>
public sealed class BasicBlockNoShortcut : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;

    public BasicBlockNoShortcut(long inputPlanes, long planes, long stride) : base(nameof(BasicBlockNoShortcut))
    {
        conv1 = Conv2d(inputPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = new FoldableBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn2 = new FoldableBatchNorm2d(planes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = functional.relu(bn1.call(conv1.call(input)), inplace: true);
        return functional.relu(bn2.call(conv2.call(hidden)), inplace: true).MoveToOuterDisposeScope();
    }
}
