namespace LossLandscape.Core.Training;

public enum OptimizerKind
{
    Sgd,
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter): θ ← θ·(1 − lr·λ) before the Adam step, instead of adding λθ to the gradient.</summary>
    AdamW,
}
