namespace LossLandscape.Plotting;

/// <summary>
/// A sequence of points drawn over a 2D landscape as a line with dots, such as an optimization
/// trajectory projected on PCA directions. Coordinates are in the same α/β units as the surface.
/// </summary>
/// <param name="X">α of each point, in visiting order (need not be ascending).</param>
/// <param name="Y">β of each point.</param>
/// <param name="Label">Legend text; no legend when null.</param>
/// <param name="Highlight">Indices of points drawn larger in red (e.g. the epochs where the learning rate dropped, as in the paper's figure).</param>
public sealed record PathOverlay(double[] X, double[] Y, string? Label = null, int[]? Highlight = null)
{
    /// <summary>Legend text of the first point (a black square).</summary>
    public string StartLabel { get; init; } = "start";

    /// <summary>Legend text of the last point (a black diamond).</summary>
    public string EndLabel { get; init; } = "end";

    /// <summary>Points off the path, drawn as open circles with their legend text, such as the bend of a Bézier curve.</summary>
    public IReadOnlyList<PathMark> Marks { get; init; } = [];
}

/// <summary>A labelled point drawn with a <see cref="PathOverlay"/>, in the surface's α/β units.</summary>
public sealed record PathMark(double X, double Y, string Label);
