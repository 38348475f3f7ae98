using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Training;

/// <summary>
/// Mean cross-entropy and accuracy over a whole data set, as the paper's code computes them, on the
/// model's device; only the per-batch loss and count of correct answers are read back.
/// </summary>
public static class Evaluation
{
    /// <summary>The paper code's evaluation batch size.</summary>
    public const int DefaultBatchSize = 128;

    /// <param name="batchStatistics">BatchNorm normalizes each batch by its own statistics (<see cref="BatchNormLayers.UseBatchStatistics"/>) instead of the running ones.</param>
    /// <returns>Mean loss (Σ batch-mean × batch size / N) and accuracy in percent.</returns>
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
            foreach (var batch in data.Batches(batchSize))
            {
                using var inputs = batch.Inputs;
                using var labels = batch.Labels;
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var deviceLabels = labels.IsOn(device) ? labels : labels.to(device);
                var logits = model.Forward(inputs.IsOn(device) ? inputs : inputs.to(device));
                var loss = Loss(logits, deviceLabels, lossFunction);
                lossSum += loss.item<float>() * labels.shape[0];
                correct += logits.argmax(1).eq(deviceLabels).sum().item<long>();
            }
            return (lossSum / data.Count, 100.0 * correct / data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The batch-mean loss.</summary>
    public static Tensor Loss(Tensor logits, Tensor labels, LossFunction lossFunction) => lossFunction switch
    {
        LossFunction.Mse => nn.functional.mse_loss(nn.functional.softmax(logits, 1), nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)),
        _ => nn.functional.cross_entropy(logits, labels),
    };
}
