namespace LossLandscape.Core.Curvature;

/// <summary>Which two eigenvectors of the Hessian span the plane <see cref="HessianAnalysis"/> saves.</summary>
public enum HessianPair
{
    /// <summary>λ1's and λ2's: the two directions of highest curvature (needs Top ≥ 2 for a plane).</summary>
    TopTwo,

    /// <summary>
    /// λmax's and λmin's (Böttcher and Wheeler, arXiv 2208.13219): a negative λmin is a direction of
    /// descent that random planes almost never catch, so this plane shows a saddle as a saddle.
    /// </summary>
    TopBottom,
}
