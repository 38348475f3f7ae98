using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// Small CNN for the 8×8 digits (about 15k parameters on 1×8×8): three 3×3 convolutions
/// (16, 32, 32 channels) each followed by BatchNorm and ReLU, a 2×2 max-pool after the second and
/// third, and a Linear from the flattened maps to the classes. It carries BatchNorm on purpose so
/// that the landscape's BatchNorm handling is exercised on a net that trains in seconds.
/// Needs inputs of at least 4×4 (two halvings).
/// </summary>
public sealed class DigitsCnn : PyTorchOrderedModule
{
    /// <summary>Each max-pool halves the map (rounding down); there are two.</summary>
    public const int MinimumInputSize = 4;

    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor> conv3;
    private readonly Module<Tensor, Tensor> bn3;
    private readonly Module<Tensor, Tensor> linear;

    public DigitsCnn(int inputChannels, int inputHeight, int inputWidth, int classCount) : base(nameof(DigitsCnn))
    {
        // No convolution bias: the BatchNorm after each convolution makes one redundant.
        conv1 = Conv2d(inputChannels, 16, kernel_size: 3, padding: 1, bias: false);
        bn1 = new FoldableBatchNorm2d(16);
        conv2 = Conv2d(16, 32, kernel_size: 3, padding: 1, bias: false);
        bn2 = new FoldableBatchNorm2d(32);
        conv3 = Conv2d(32, 32, kernel_size: 3, padding: 1, bias: false);
        bn3 = new FoldableBatchNorm2d(32);
        linear = Linear(32L * (inputHeight / 4) * (inputWidth / 4), classCount);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Pooling before the ReLU gives the same values and gradients (max and ReLU commute), with a
        // quarter of the ReLU's work; in place, as the maps are this forward's own temporaries.
        var hidden = functional.relu(bn1.call(conv1.call(input)), inplace: true);
        hidden = functional.relu(functional.max_pool2d(bn2.call(conv2.call(hidden)), 2), inplace: true);
        hidden = functional.relu(functional.max_pool2d(bn3.call(conv3.call(hidden)), 2), inplace: true);
        return linear.call(hidden.flatten(1)).MoveToOuterDisposeScope();
    }
}
