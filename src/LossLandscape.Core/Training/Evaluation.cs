using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Training;

/// <summary>
/// Mean cross-entropy and accuracy over a whole data set, as the paper's code computes them, on the
/// model's device; only the per-batch loss and count of correct answers are read back. For token data
/// (logits B×T×V) the mean is over the targets inside the loss mask and the accuracy is next-token
/// accuracy on those positions.
/// </summary>
public static class Evaluation
{
    /// <summary>The paper code's evaluation batch size.</summary>
    public const int DefaultBatchSize = 128;

    /// <param name="batchStatistics">BatchNorm normalizes each batch by its own statistics (<see cref="BatchNormLayers.UseBatchStatistics"/>) instead of the running ones.</param>
    /// <returns>Mean loss (Σ batch-mean × batch targets / all targets, a target being an image's label or a masked token) and accuracy in percent.</returns>
    public static (double Loss, double Accuracy) Evaluate(nn.Module model, PreloadedDataset data, int batchSize = DefaultBatchSize, LossFunction lossFunction = LossFunction.CrossEntropy, CancellationToken cancellation = default, bool batchStatistics = false)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var batchMode = batchStatistics ? BatchNormLayers.UseBatchStatistics(model) : null;
            using var noGrad = no_grad();
            var device = DevicePlacement.DeviceOf(model);
            double lossSum = 0;
            long correct = 0;
            long targets = 0;
            foreach (var batch in data.Batches(batchSize))
            {
                using var inputs = batch.Inputs;
                using var labels = batch.Labels;
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var deviceLabels = labels.IsOn(device) ? labels : labels.to(device);
                var logits = model.Forward(inputs.IsOn(device) ? inputs : inputs.to(device));
                var scored = data.IsTokenData ? deviceLabels.ne(DatasetArrays.IgnoredTarget) : null;
                var batchTargets = scored?.sum().item<long>() ?? labels.shape[0];
                // A batch with nothing in the mask has no mean (cross-entropy gives NaN) and weighs nothing.
                if (batchTargets == 0) continue;
                var loss = Loss(logits, deviceLabels, lossFunction);
                lossSum += loss.item<float>() * batchTargets;
                var hits = logits.argmax(-1).eq(deviceLabels);
                correct += (scored is null ? hits : hits.logical_and(scored)).sum().item<long>();
                targets += batchTargets;
            }
            return (lossSum / targets, 100.0 * correct / targets);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The batch-mean loss. Logits B×T×V are token data: cross-entropy over the positions whose target
    /// is not <see cref="DatasetArrays.IgnoredTarget"/> (PyTorch's ignore_index), the mean over the loss mask.
    /// </summary>
    /// <exception cref="ArgumentException">Mean squared error asked of token data.</exception>
    public static Tensor Loss(Tensor logits, Tensor labels, LossFunction lossFunction)
    {
        if (logits.dim() == 3)
        {
            if (lossFunction == LossFunction.Mse)
                throw new ArgumentException("The mean squared error of softmax outputs is defined for class labels; token data (logits B×T×V with masked targets) takes the cross-entropy only.", nameof(lossFunction));
            return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), labels.reshape(-1), ignore_index: DatasetArrays.IgnoredTarget);
        }
        return lossFunction switch
        {
            LossFunction.Mse => nn.functional.mse_loss(nn.functional.softmax(logits, 1), nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)),
            _ => nn.functional.cross_entropy(logits, labels),
        };
    }
}
