using LossLandscape.Core.Connectivity;

namespace LossLandscape.Core.Directions;

/// <summary>
/// Where the three points of a curve lie in its orthonormal plane (<see cref="DirectionKind.CurvePlane"/>):
/// θ_A at (0, 0), θ_B at (<see cref="TargetX"/>, 0), θ_bend at (<see cref="BendX"/>, <see cref="BendY"/>),
/// with TargetX = ‖θ_B − θ_A‖ and BendY ≥ 0. The curve is linear in its three points, so it lies in the
/// plane and its points are (Along(t)·TargetX + Bend(t)·BendX, Bend(t)·BendY) (<see cref="Curve"/>).
/// </summary>
public sealed record CurvePlane(double TargetX, double BendX, double BendY, CurveKind Curve)
{
    /// <summary>The point of the curve at <paramref name="t"/>, in plane coordinates.</summary>
    public (double X, double Y) At(double t)
    {
        var (along, bend) = Connectivity.Curve.Coefficients(Curve, t);
        return (along * TargetX + bend * BendX, bend * BendY);
    }

    /// <summary>
    /// A grid range around the three points: their extent on each axis, widened on both sides by
    /// <paramref name="margin"/> times the larger of ‖θ_B − θ_A‖ and the bend's distance from the line.
    /// </summary>
    public (double[] X, double[] Y) Range(double margin = 0.25)
    {
        var pad = margin * Math.Max(TargetX, BendY);
        return ([Math.Min(0, BendX) - pad, Math.Max(TargetX, BendX) + pad], [-pad, BendY + pad]);
    }
}
