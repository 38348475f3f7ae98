namespace LossLandscape.Plotting;

/// <summary>
/// How a 2D landscape plot looks. The level defaults are the paper's (vmin 0.1, vmax 10, vlevel 0.5):
/// lines at <see cref="Min"/>, <see cref="Min"/> + <see cref="LevelStep"/>, … up to <see cref="Max"/>.
/// </summary>
public sealed record ContourPlotOptions
{
    /// <summary>Lines only, or a colour map with lines on top.</summary>
    public ContourStyle Style { get; init; } = ContourStyle.Lines;

    /// <summary>Lowest contour level, and the bottom of the colour scale.</summary>
    public double Min { get; init; } = 0.1;

    /// <summary>Highest contour level, and the top of the colour scale; values above it are clipped.</summary>
    public double Max { get; init; } = 10;

    /// <summary>Distance between consecutive contour levels.</summary>
    public double LevelStep { get; init; } = 0.5;

    /// <summary>
    /// Colours the filled map by log10 of the value, which shows the detail near a sharp minimum;
    /// the colour bar still reads in value units. Needs <see cref="Min"/> &gt; 0.
    /// </summary>
    public bool LogColor { get; init; }

    /// <summary>
    /// Spaces the contour levels evenly in log10 from <see cref="Min"/> to <see cref="Max"/> (as many as
    /// <see cref="LevelStep"/> gives linearly), which shows the rings around a sharp minimum. Needs <see cref="Min"/> &gt; 0.
    /// </summary>
    public bool LogLevels { get; init; }

    /// <summary>Writes the level value on a few contour lines, as matplotlib's clabel does.</summary>
    public bool LabelLevels { get; init; } = true;

    /// <summary>Text above the plot; the surface's title, else its value label, when null.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// Equal units on both axes (true), the whole area whatever the units (false), or equal units
    /// only when the ranges are within a factor 2 of each other (null, the default). With true the
    /// image is trimmed to the figure: <see cref="Width"/> and <see cref="Height"/> are then upper bounds.
    /// </summary>
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
