using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// The CIFAR ResNets of the paper's code (ResNet_cifar and WResNet_cifar in
/// tomgoldstein/loss-landscape cifar10/models/resnet.py): a 3×3 convolution to 16·k channels with
/// BatchNorm and ReLU, three stages (<c>layer1</c>..<c>layer3</c>) of (depth − 2) / 6 blocks with
/// 16·k, 32·k and 64·k channels and strides 1, 2, 2, a global average pool and <c>linear</c>.
/// Modules are registered in the order the PyTorch constructor assigns them, so parameter and
/// state_dict order match PyTorch's.
/// </summary>
/// <remarks>
/// Two generalisations of the paper's code, both identical to it on 3×32×32 inputs: the first
/// convolution takes the spec's input channels, and the final <c>avg_pool2d(out, 8)</c> is an
/// adaptive average pool to 1×1 so any input size works.
/// </remarks>
public sealed class CifarResNet : PyTorchOrderedModule
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> layer1;
    private readonly Module<Tensor, Tensor> layer2;
    private readonly Module<Tensor, Tensor> layer3;
    private readonly Module<Tensor, Tensor> linear;

    /// <param name="depth">6n + 2 layers: n blocks per stage.</param>
    /// <param name="shortcuts">False builds the paper's "noshort" variant.</param>
    /// <param name="widthFactor">k of the wide ResNets; 1 for the plain ones.</param>
    public CifarResNet(int depth, bool shortcuts, int widthFactor, int inputChannels, int classCount) : base(nameof(CifarResNet))
    {
        var blocksPerStage = (depth - 2) / 6;
        long planes = 16L * widthFactor;
        conv1 = Conv2d(inputChannels, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        bn1 = new FoldableBatchNorm2d(planes);
        layer1 = Stage(shortcuts, ref planes, 16L * widthFactor, blocksPerStage, stride: 1);
        layer2 = Stage(shortcuts, ref planes, 32L * widthFactor, blocksPerStage, stride: 2);
        layer3 = Stage(shortcuts, ref planes, 64L * widthFactor, blocksPerStage, stride: 2);
        linear = Linear(64L * widthFactor, classCount);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = functional.relu(bn1.call(conv1.call(input)), inplace: true);
        hidden = layer3.call(layer2.call(layer1.call(hidden)));
        hidden = functional.adaptive_avg_pool2d(hidden, 1).flatten(1);
        return linear.call(hidden).MoveToOuterDisposeScope();
    }

    private static Module<Tensor, Tensor> Stage(bool shortcuts, ref long inputPlanes, long planes, int blocks, long stride)
    {
        var stage = new Module<Tensor, Tensor>[blocks];
        for (var i = 0; i < blocks; i++)
        {
            var blockStride = i == 0 ? stride : 1;
            stage[i] = new BasicBlock(inputPlanes, planes, blockStride, residual: shortcuts);
            inputPlanes = planes;
        }
        return Sequential(stage);
    }
}
