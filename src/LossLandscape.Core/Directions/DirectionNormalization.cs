namespace LossLandscape.Core.Directions;

/// <summary>How a random direction is rescaled against θ* (paper §4).</summary>
public enum DirectionNormalization
{
    /// <summary>Each filter (slice along dim 0) gets the Frobenius norm of the same filter of θ*.</summary>
    Filter,

    /// <summary>Each tensor gets the Frobenius norm of the same tensor of θ*.</summary>
    Layer,

    /// <summary>Element-wise: d ← d ⊙ θ*.</summary>
    Weight,

    /// <summary>The raw N(0, 1) draw.</summary>
    None,
}
