using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// The Euclidean projection onto the ellipsoid {δ : ‖δ ⊘ s‖₂ ≤ r}, coordinates with s_i = 0 held at 0.
/// Outside it the projection is δ_i = x_i s_i² / (s_i² + λ) with the Lagrange multiplier λ &gt; 0 that
/// puts it on the boundary; ‖δ(λ) ⊘ s‖ decreases in λ, so λ is found by bisection.
/// </summary>
public static class EllipsoidProjection
{
    /// <summary>Bisection stops when the bracket is this narrow relative to λ: float64 resolution.</summary>
    private const double RelativeTolerance = 1e-15;

    private const int MaxBisections = 200;

    /// <returns>The projection of <paramref name="point"/>, in its dtype; computed in float64.</returns>
    public static Tensor Project(Tensor point, Tensor scale, double radius)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(scale);
        if (!(radius > 0) || !double.IsFinite(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "The radius must be positive and finite.");
        if (!point.shape.SequenceEqual(scale.shape)) throw new ArgumentException("The point and the scale must have the same shape.", nameof(scale));
        using var scope = NewDisposeScope();
        var s = scale.to(ScalarType.Float64);
        var active = s.gt(0);
        var x = where(active, point.to(ScalarType.Float64), 0.0);
        // Inactive coordinates divide by zero here; where() discards those entries.
        // Products, not square(): square() passes a temporary Scalar 2 to native code without keeping it alive.
        var ratio = where(active, x / s, 0.0);
        var inside = ratio.mul(ratio).sum().item<double>() <= radius * radius;
        if (inside) return x.to(point.dtype).MoveToOuterDisposeScope();

        var squared = s.mul(s);
        var weighted = x * s;
        double low = 0, high = Math.Sqrt(weighted.mul(weighted).sum().item<double>()) / radius;
        for (var i = 0; i < MaxBisections && high - low > RelativeTolerance * high; i++)
        {
            using var inner = NewDisposeScope();
            var middle = 0.5 * (low + high);
            using var shift = middle.ToScalar();
            var shrunk = weighted / squared.add(shift);
            var norm = shrunk.mul(shrunk).sum().item<double>();
            if (norm > radius * radius) low = middle;
            else high = middle;
        }
        // The upper end of the bracket is always feasible.
        using var upper = high.ToScalar();
        return (x * squared / squared.add(upper)).to(point.dtype).MoveToOuterDisposeScope();
    }
}
