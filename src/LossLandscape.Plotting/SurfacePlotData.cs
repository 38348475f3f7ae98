namespace LossLandscape.Plotting;

/// <summary>
/// A 2D landscape sampled on a grid.
/// </summary>
/// <param name="X">Ascending α coordinates (the x axis), one per column of <paramref name="Values"/>.</param>
/// <param name="Y">Ascending β coordinates (the y axis), one per row of <paramref name="Values"/>.</param>
/// <param name="Values">
/// The surface indexed <c>[y, x]</c>: <c>Values[i, j]</c> is the value at α = <c>X[j]</c>, β = <c>Y[i]</c>,
/// so row 0 is the lowest β and is drawn at the bottom. NaN marks points not computed yet and +∞ or
/// huge values mark diverged points: they are left blank or clipped, never rejected.
/// </param>
public sealed record SurfacePlotData(double[] X, double[] Y, double[,] Values)
{
    /// <summary>What the values are, e.g. "train loss"; labels the colour bar and is the default title.</summary>
    public string ValueLabel { get; init; } = "loss";

    /// <summary>What the surface shows, e.g. "ResNet-56"; the title of its plot or panel, before the value label.</summary>
    public string? Title { get; init; }

    /// <summary>An optional trajectory drawn over the landscape.</summary>
    public PathOverlay? Path { get; init; }
}
