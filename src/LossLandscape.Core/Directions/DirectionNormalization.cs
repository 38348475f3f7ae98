namespace LossLandscape.Core.Directions;

/// <summary>How a random direction is rescaled against θ* (paper §4).</summary>
public enum DirectionNormalization
{
    /// <summary>
    /// Each filter (output unit) gets the Frobenius norm of the same filter of θ*: slices along dim 0
    /// (convolution filters, Linear and embedding rows), along dim 1 for GPT-2's Conv1D weights (their columns).
    /// </summary>
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

    /// <summary>
    /// Filter normalization with attention heads as the units of GPT-2's attention weights: in each
    /// <c>attn.c_attn.weight</c> [C, 3C], every head's column block of Q, of K and of V; in each
    /// <c>attn.c_proj.weight</c> [C, C], every head's row block (its inputs). Needs the head count (n_head).
    /// </summary>
    Head,
}
