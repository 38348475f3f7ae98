namespace LossLandscape.Core.Directions;

public enum DirectionKind
{
    /// <summary>A seeded Gaussian draw, normalised against θ*.</summary>
    Random,

    /// <summary>θ_target − θ*: the line through two checkpoints (1D interpolation).</summary>
    Target,

    /// <summary>A principal component of a training trajectory (unit norm, not filter-normalized).</summary>
    Pca,

    /// <summary>
    /// An eigenvector of the Hessian: the landscape along the directions of highest (or lowest) curvature.
    /// Unit norm, or rescaled as a whole to a random direction's norm (<see cref="DirectionNormalization.RandomNorm"/>).
    /// </summary>
    Eigenvector,

    /// <summary>
    /// An axis of the plane through θ*, a target θ_B and a curve's bend θ_bend, orthonormal by Gram–Schmidt:
    /// x = (θ_B − θ*)/‖θ_B − θ*‖, y ∝ θ_bend − θ* made orthogonal to x (<see cref="CurvePlane"/>).
    /// </summary>
    CurvePlane,

    /// <summary>Read from a direction file made elsewhere (e.g. the paper's code): known by its content hash only.</summary>
    File,
}
