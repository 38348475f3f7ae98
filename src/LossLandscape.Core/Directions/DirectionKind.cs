namespace LossLandscape.Core.Directions;

public enum DirectionKind
{
    /// <summary>A seeded Gaussian draw, normalised against θ*.</summary>
    Random,

    /// <summary>θ_target − θ*: the line through two checkpoints (1D interpolation).</summary>
    Target,
}
