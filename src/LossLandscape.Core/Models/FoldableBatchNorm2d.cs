using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Models;

/// <summary>
/// PyTorch's BatchNorm2d (same parameters, buffers, names and arithmetic) that can step aside once
/// <see cref="Surfaces.BatchNormFolding"/> has folded its eval-mode affine map into the convolution
/// before it: evaluating a surface then skips one pass over every activation map.
/// </summary>
public sealed class FoldableBatchNorm2d(long features)
    : BatchNorm(features, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name: nameof(BatchNorm2d))
{
    /// <summary>True while the preceding convolution carries this normalisation; then forward is the identity.</summary>
    internal bool IsFolded { get; set; }

    // A new handle on the same storage, not the input itself: Sequential disposes each stage's input.
    public override Tensor forward(Tensor input) => IsFolded ? input.alias() : base.forward(input);

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.dim() != 4) throw new ArgumentException($"BatchNorm2d expects 4D input (got {input.dim()}D).");
    }
}
