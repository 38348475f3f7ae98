using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Models;

/// <summary>
/// Channels-last storage: NCHW shape, NHWC memory. libtorch's oneDNN convolutions run the small maps
/// of these nets far faster in it (digits CNN 2.2×, ResNet-20 1.3× on one core, measured by
/// <c>bench … levers</c>); the values differ only by float summation order.
/// </summary>
public static class ChannelsLast
{
    /// <summary>A channels-last copy of a 4D tensor.</summary>
    public static Tensor Of(Tensor tensor) => tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// Zoo models with convolutions only: their forward passes are ours and never view a map as
    /// contiguous; a TorchScript model's might.
    /// </summary>
    public static bool Suits(nn.Module model) => model is PyTorchOrderedModule && model.modules().OfType<Conv2d>().Any();

    /// <summary>Restores every convolution weight channels-last, keeping the parameter objects (and so their order and identity).</summary>
    public static void Apply(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var conv in model.modules().OfType<Conv2d>())
        {
            using var restrided = Of(conv.weight!);
            conv.weight!.set_(restrided);
        }
    }
}
