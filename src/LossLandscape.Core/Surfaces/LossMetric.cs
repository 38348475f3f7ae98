using LossLandscape.Core.Data;
using LossLandscape.Core.Training;
using static TorchSharp.torch;

namespace LossLandscape.Core.Surfaces;

/// <summary>Mean loss and accuracy (%) on each data set: train_loss, train_acc, test_loss, test_acc.</summary>
/// <param name="batchStatistics">BatchNorm normalizes each batch by its own statistics (-BatchNormStatistics Batch).</param>
public sealed class LossMetric(LossFunction lossFunction, int batchSize, bool batchStatistics = false) : IPointMetric
{
    public const string MetricName = "Loss";

    public string Name => MetricName;

    public bool NeedsGradients => false;

    public IReadOnlyList<string> Keys(IReadOnlyList<SurfaceDataInfo> data) =>
        data.SelectMany(d => new[] { SurfaceResult.LossKey(d.Prefix), SurfaceResult.AccuracyKey(d.Prefix) }).ToArray();

    public double[] Evaluate(nn.Module model, IReadOnlyList<PreloadedDataset> data, CancellationToken cancellation)
    {
        var values = new double[2 * data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            (values[2 * i], values[2 * i + 1]) = Evaluation.Evaluate(model, data[i], batchSize, lossFunction, cancellation, batchStatistics);
        }
        return values;
    }
}
