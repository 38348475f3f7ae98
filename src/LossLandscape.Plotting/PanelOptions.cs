namespace LossLandscape.Plotting;

/// <summary>
/// How a grid of 2D landscapes side by side looks. All panels share one colour scale from
/// <see cref="Min"/> to <see cref="Max"/> (the paper's 0.1 … 10 by default) and one colour bar, so
/// equal colours mean equal values across panels. A panel whose value label differs from the first
/// panel's (another quantity, such as |λmin/λmax|) is drawn on its own scale, with its own colour bar.
/// </summary>
public sealed record PanelOptions
{
    /// <summary>Panels per row; the number of surfaces, at most 3, when null.</summary>
    public int? Columns { get; init; }

    /// <summary>Bottom of the shared colour scale and the lowest contour level.</summary>
    public double Min { get; init; } = 0.1;

    /// <summary>Top of the shared colour scale and the highest contour level; values above it are clipped.</summary>
    public double Max { get; init; } = 10;

    /// <summary>Distance between consecutive contour levels.</summary>
    public double LevelStep { get; init; } = 0.5;

    /// <summary>Colours by log10 of the value, which shows the detail near a sharp minimum. Needs <see cref="Min"/> &gt; 0.</summary>
    public bool LogColor { get; init; }

    /// <summary>Writes the level value on a few contour lines of each panel.</summary>
    public bool LabelLevels { get; init; }

    /// <summary>Text above all panels; none when null. Each panel is titled by its surface's title, else its value label.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the shared colour bar; the first surface's value label when null.</summary>
    public string? ValueLabel { get; init; }

    /// <summary>Label of each panel's x axis.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>Label of each panel's y axis.</summary>
    public string YLabel { get; init; } = "β";

    /// <summary>Width of one panel in pixels; the image adds the colour bar's width to the panels'.</summary>
    public int PanelWidth { get; init; } = 420;

    /// <summary>Height of one panel in pixels; the image adds room for the title when there is one.</summary>
    public int PanelHeight { get; init; } = 400;
}
