namespace LossLandscape.Core.Directions;

/// <summary>What happens to BatchNorm running statistics along a direction.</summary>
public enum BatchNormStatistics
{
    /// <summary>They stay those of θ* (BN evaluates in eval mode with them).</summary>
    Eval,

    /// <summary>Target directions only: they move linearly too (the paper code's "states" mode).</summary>
    Interpolate,
}
