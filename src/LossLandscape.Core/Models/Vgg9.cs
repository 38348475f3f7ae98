using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Core.Models;

/// <summary>
/// VGG-9 of the paper's code (VGG('VGG9') in tomgoldstein/loss-landscape cifar10/models/vgg.py):
/// <c>features</c> = [64, 64, M, 128, 128, M, 256, 256, 256, M] where each number is a 3×3
/// convolution (with bias) + BatchNorm2d + ReLU and M a 2×2 max-pool with ceil_mode; then
/// <c>fc</c> = Linear(256·h·w, 256) + BatchNorm1d + ReLU and <c>classifier</c> = Linear(256, classes).
/// </summary>
/// <remarks>
/// The paper's code fixes 3 input channels, a 32×32 input (so h = w = 4) and 10 classes; here they
/// come from the spec, with h and w the input size after three ceil-mode halvings.
/// </remarks>
public sealed class Vgg9 : PyTorchOrderedModule
{
    /// <summary>Every max-pool must see at least a 2×2 map: three ceil-mode halvings from 5 give 3, 2, 1.</summary>
    public const int MinimumInputSize = 5;

    private const int MaxPool = 0;
    private static readonly int[] Configuration = [64, 64, MaxPool, 128, 128, MaxPool, 256, 256, 256, MaxPool];
    private const int MapCount = 256;

    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> fc;
    private readonly Module<Tensor, Tensor> classifier;

    public Vgg9(int inputChannels, int inputHeight, int inputWidth, int classCount) : base(nameof(Vgg9))
    {
        var layers = new List<Module<Tensor, Tensor>>();
        long channels = inputChannels, height = inputHeight, width = inputWidth;
        foreach (var entry in Configuration)
        {
            if (entry == MaxPool)
            {
                layers.Add(MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true));
                height = (height + 1) / 2;
                width = (width + 1) / 2;
            }
            else
            {
                layers.Add(Conv2d(channels, entry, kernel_size: 3, padding: 1));
                layers.Add(new FoldableBatchNorm2d(entry));
                layers.Add(ReLU());
                channels = entry;
            }
        }
        features = Sequential(layers);
        fc = Sequential(Linear(MapCount * height * width, MapCount), BatchNorm1d(MapCount), ReLU());
        classifier = Linear(MapCount, classCount);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = features.call(input).flatten(1);
        return classifier.call(fc.call(hidden)).MoveToOuterDisposeScope();
    }
}
