namespace LossLandscape.Core.Trajectories;

/// <summary>How checkpoints are placed on the PCA plane (the paper code's two options).</summary>
public enum ProjectionMethod
{
    /// <summary>x = ⟨θ_i − θ_ref, pc₁⟩ / ‖pc₁‖, likewise y (the paper code's "cos").</summary>
    Orthogonal,

    /// <summary>Least squares of θ_i − θ_ref on [pc₁ pc₂] (the paper code's "lstsq"); equal to Orthogonal for orthonormal components.</summary>
    LeastSquares,
}
