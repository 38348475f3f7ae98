namespace LossLandscape.Plotting;

/// <summary>
/// How a scalar map over α and β looks (for instance the Hessian's |λmin/λmax|): the colour range
/// comes from the data unless <see cref="Min"/> or <see cref="Max"/> fixes it.
/// </summary>
public sealed record HeatmapOptions
{
    /// <summary>Bottom of the colour scale; the smallest finite value (positive one with <see cref="LogColor"/>) when null.</summary>
    public double? Min { get; init; }

    /// <summary>Top of the colour scale, values above it clipped; the largest finite value when null.</summary>
    public double? Max { get; init; }

    /// <summary>Colours by log10 of the value; values at or below zero are drawn in the bottom colour.</summary>
    public bool LogColor { get; init; }

    /// <summary>Marks α = β = 0, the point the directions start from, when it lies inside the grid.</summary>
    public bool MarkOrigin { get; init; } = true;

    /// <summary>Text above the plot; the surface's title, else its value label, when null.</summary>
    public string? Title { get; init; }

    /// <summary>Equal units on both axes (true; the image is trimmed to the figure), the whole area (false), or equal units only when the ranges are within a factor 2 (null).</summary>
    public bool? EqualAspect { get; init; }

    /// <summary>Label of the x axis.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>Label of the y axis.</summary>
    public string YLabel { get; init; } = "β";

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 600;
}
