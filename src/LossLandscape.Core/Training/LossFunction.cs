namespace LossLandscape.Core.Training;

public enum LossFunction
{
    /// <summary>Mean cross-entropy of the logits.</summary>
    CrossEntropy,

    /// <summary>The paper code's alternative: mean squared error between softmax output and one-hot labels.</summary>
    Mse,
}
