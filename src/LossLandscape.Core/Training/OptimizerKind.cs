namespace LossLandscape.Core.Training;

public enum OptimizerKind
{
    Sgd,
    Adam,
}
