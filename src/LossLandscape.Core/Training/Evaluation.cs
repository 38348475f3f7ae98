using LossLandscape.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Training;

/// <summary>Mean cross-entropy and accuracy over a whole data set, as the paper's code computes them.</summary>
public static class Evaluation
{
    public const int DefaultBatchSize = 250;

    /// <returns>Mean loss (Σ batch-mean × batch size / N) and accuracy in percent.</returns>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, PreloadedDataset data, int batchSize = DefaultBatchSize)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0;
            foreach (var batch in data.Batches(batchSize))
            {
                using var inputs = batch.Inputs;
                using var labels = batch.Labels;
                using var scope = NewDisposeScope();
                var logits = model.forward(inputs);
                var loss = nn.functional.cross_entropy(logits, labels);
                lossSum += loss.item<float>() * labels.shape[0];
                correct += logits.argmax(1).eq(labels).sum().item<long>();
            }
            return (lossSum / data.Count, 100.0 * correct / data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
