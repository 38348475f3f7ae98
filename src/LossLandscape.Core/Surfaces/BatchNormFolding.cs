using LossLandscape.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// In eval mode a BatchNorm2d is the affine map y = (x − μ)·γ/√(σ²+ε) + β, so a convolution followed by
/// it equals one convolution with weight W·s and bias (b − μ)·s + β, s = γ/√(σ²+ε). Folding saves a
/// pass over every activation map per batch; values change only by float rounding (the fold rounds
/// W·s once), which is why surfaces use it only when asked.
/// </summary>
public sealed class BatchNormFolding : IDisposable
{
    private readonly (Conv2d Conv, FoldableBatchNorm2d Norm, bool AddedBias)[] pairs;

    private BatchNormFolding((Conv2d, FoldableBatchNorm2d, bool)[] pairs) => this.pairs = pairs;

    public int PairCount => pairs.Length;

    /// <summary>
    /// Pairs each zoo BatchNorm2d with the convolution registered just before it in the same parent,
    /// which is the convolution whose output it normalises in every zoo model.
    /// Convolutions without a bias get one. Call after the model's parameters are captured elsewhere:
    /// the added biases are not part of the model's parameter layout.
    /// </summary>
    public static BatchNormFolding Attach(nn.Module model)
    {
        var pairs = new List<(Conv2d, FoldableBatchNorm2d, bool)>();
        foreach (var parent in model.modules().Prepend(model))
        {
            var children = parent.children().ToArray();
            for (var i = 1; i < children.Length; i++)
            {
                if (children[i - 1] is not Conv2d conv || children[i] is not FoldableBatchNorm2d norm || norm.num_features != conv.out_channels) continue;
                var addBias = conv.bias is null;
                if (addBias) conv.bias = new Parameter(zeros(conv.out_channels, dtype: conv.weight!.dtype, device: conv.weight.device), requires_grad: false);
                norm.IsFolded = true;
                pairs.Add((conv, norm, addBias));
            }
        }
        return new BatchNormFolding(pairs.ToArray());
    }

    /// <summary>Folds each normalisation into its convolution. Call once after every placement of the parameters: it scales the weights in place.</summary>
    public void Apply()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (conv, norm, addedBias) in pairs)
        {
            var scale = norm.weight!.div(norm.running_var!.add(norm.eps).sqrt());
            var shift = norm.bias!.sub(norm.running_mean!.mul(scale));
            if (!addedBias) shift = shift.add(conv.bias!.mul(scale));
            conv.weight!.mul_(scale.view(-1, 1, 1, 1));
            conv.bias!.copy_(shift);
        }
    }

    /// <summary>Unfolds: the normalisations run again and the added biases are removed. The weights stay scaled until the parameters are placed again.</summary>
    public void Dispose()
    {
        foreach (var (conv, norm, addedBias) in pairs)
        {
            norm.IsFolded = false;
            if (addedBias) conv.bias = null;
        }
    }
}
