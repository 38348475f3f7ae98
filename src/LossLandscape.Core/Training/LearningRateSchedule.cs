namespace LossLandscape.Core.Training;

/// <summary>How the learning rate moves after the warm-up.</summary>
public enum LearningRateSchedule
{
    /// <summary>Multiplied by the decay after each milestone epoch (the paper's schedule; without milestones, constant).</summary>
    Step,

    Constant,

    /// <summary>Half a cosine from the learning rate down to the minimum over the steps after the warm-up.</summary>
    Cosine,
}
