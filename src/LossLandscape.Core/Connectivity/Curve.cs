namespace LossLandscape.Core.Connectivity;

/// <summary>The curves of Garipov et al. (NeurIPS 2018) between two fixed endpoints θ_A and θ_B through one trainable bend θ_bend.</summary>
public enum CurveKind
{
    /// <summary>The quadratic Bézier curve φ(t) = (1 − t)² θ_A + 2t(1 − t) θ_bend + t² θ_B.</summary>
    Bezier,

    /// <summary>The polygonal chain θ_A → θ_bend → θ_B, the bend reached at t = ½.</summary>
    Polychain,
}

/// <summary>
/// Both curves written in the plane of their three points: φ(t) = θ_A + Along(t)·(θ_B − θ_A) + Bend(t)·(θ_bend − θ_A).
/// The curve is linear in θ_bend, so Bend(t) is also ∂φ(t)/∂θ_bend, and the chain rule gives the
/// gradient of the loss on the curve exactly: ∂L(φ(t))/∂θ_bend = Bend(t)·∇L(φ(t)).
/// </summary>
public static class Curve
{
    /// <param name="t">In [0, 1]: θ_A at 0, θ_B at 1.</param>
    public static (double Along, double Bend) Coefficients(CurveKind kind, double t) => kind switch
    {
        // (1 − t)² + 2t(1 − t) + t² = 1, so θ_A's weight is what the other two leave.
        CurveKind.Bezier => (t * t, 2 * t * (1 - t)),
        CurveKind.Polychain => t <= 0.5 ? (0, 2 * t) : (2 * t - 1, 2 - 2 * t),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown curve."),
    };
}
