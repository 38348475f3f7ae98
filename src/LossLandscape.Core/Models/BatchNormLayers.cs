using LossLandscape.Core.Data;
using LossLandscape.Core.Native;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LossLandscape.Core.Models;

/// <summary>
/// The BatchNorm statistics a model normalizes with away from θ*, other than θ*'s running ones:
/// recomputed at a point (<see cref="Recompute"/>) or each batch's own (<see cref="UseBatchStatistics"/>).
/// </summary>
public static class BatchNormLayers
{
    /// <summary>The model's BatchNorm layers that keep running statistics, in registration order.</summary>
    public static BatchNorm[] Of(nn.Module model) => model.modules().OfType<BatchNorm>().Where(n => n.track_running_stats).ToArray();

    /// <summary>
    /// <c>torch.optim.swa_utils.update_bn</c>: every layer's running statistics are reset (mean 0,
    /// variance 1, count 0) and, with momentum None, become the cumulative average over the first
    /// <paramref name="batchCount"/> batches of <paramref name="training"/> of each batch's mean and
    /// unbiased variance. Only these buffers change; the model is left in eval mode.
    /// </summary>
    /// <param name="batchCount">k; null for every batch.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; the statistics are then partial.</exception>
    public static void Recompute(nn.Module model, PreloadedDataset training, int batchSize, int? batchCount, CancellationToken cancellation = default)
    {
        var layers = Of(model);
        var momenta = layers.Select(l => l.momentum).ToArray();
        var device = DevicePlacement.DeviceOf(model);
        try
        {
            using var noGrad = no_grad();
            foreach (var layer in layers)
            {
                layer.reset_running_stats();
                layer.momentum = null;
                layer.train();
            }
            foreach (var (inputs, labels) in training.Batches(batchSize).Take(batchCount ?? int.MaxValue))
            {
                using var batchInputs = inputs;
                using var batchLabels = labels;
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                model.Forward(inputs.IsOn(device) ? inputs : inputs.to(device));
            }
        }
        finally
        {
            for (var i = 0; i < layers.Length; i++)
            {
                layers[i].momentum = momenta[i];
                layers[i].eval();
            }
        }
    }

    /// <summary>
    /// Until disposed, every BatchNorm layer normalizes each batch with that batch's own mean and
    /// (biased) variance, as in training; its running statistics are put back as they were on dispose.
    /// </summary>
    public static IDisposable UseBatchStatistics(nn.Module model) => new BatchStatisticsScope(Of(model));

    private sealed class BatchStatisticsScope : IDisposable
    {
        private readonly BatchNorm[] layers;
        private readonly (Tensor Mean, Tensor Variance, Tensor? Count)[] saved;

        public BatchStatisticsScope(BatchNorm[] layers)
        {
            this.layers = layers;
            using var noGrad = no_grad();
            saved = layers.Select(l => (l.running_mean!.clone(), l.running_var!.clone(), l.num_batches_tracked?.clone())).ToArray();
            foreach (var layer in layers) layer.train();
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            for (var i = 0; i < layers.Length; i++)
            {
                var (mean, variance, count) = saved[i];
                layers[i].running_mean!.copy_(mean);
                layers[i].running_var!.copy_(variance);
                if (count is not null) layers[i].num_batches_tracked!.copy_(count);
                layers[i].eval();
                mean.Dispose();
                variance.Dispose();
                count?.Dispose();
            }
        }
    }
}
