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

    /// <summary>The raw N(0, 1) draw; also PCA components and eigenvectors, which are unit vectors as they are.</summary>
    None,

    /// <summary>
    /// One global rescale of a unit vector (a Hessian eigenvector) to the norm of the filter-normalized
    /// random direction of the recipe's seed and axis, so α measures the same distance as on that
    /// random plane. Not per filter: rescaling filters unequally would destroy the eigen-property.
    /// </summary>
    RandomNorm,

    /// <summary>
    /// Not recorded: a direction read from a file made elsewhere (the paper code's h5 holds only the
    /// values, whatever normalization made them). Never a choice for making a direction.
    /// </summary>
    Unknown,
}
