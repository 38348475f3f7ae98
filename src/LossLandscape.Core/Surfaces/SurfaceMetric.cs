namespace LossLandscape.Core.Surfaces;

public enum SurfaceMetric
{
    /// <summary>Mean loss and accuracy of each split.</summary>
    Loss,

    /// <summary>λmax, λmin of the Hessian and |λmin/λmax| (paper §6); on the first split.</summary>
    Curvature,
}
