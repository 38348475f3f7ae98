namespace LossLandscape.Core.Specs;

/// <summary>Which split(s) are evaluated. The paper computes the train split.</summary>
public enum EvaluationSplit
{
    Train,
    Test,
    Both,
}
