using LossLandscape.Core.Data;
using static TorchSharp.torch;

namespace LossLandscape.Core.Surfaces;

/// <summary>What a surface computes at each grid point, once the model's parameters are placed there.</summary>
public interface IPointMetric
{
    /// <summary>Recorded in the surface's metadata: a resumed file must have been computed with the same metric.</summary>
    string Name { get; }

    /// <summary>The dataset names of the values, in the order <see cref="Evaluate"/> returns them.</summary>
    IReadOnlyList<string> Keys(IReadOnlyList<SurfaceDataInfo> data);

    /// <summary>
    /// False when the metric only runs forward passes: the engine may then lay the model out for
    /// inference (channels-last maps, BatchNorm folded into convolutions on request).
    /// </summary>
    bool NeedsGradients { get; }

    double[] Evaluate(nn.Module model, IReadOnlyList<PreloadedDataset> data, CancellationToken cancellation);
}
