namespace LossLandscape.Plotting;

/// <summary>
/// How the interactive 3D surface page looks. The z range defaults are the paper's (vmin 0.1, vmax 10).
/// </summary>
public sealed record SurfaceHtmlOptions
{
    /// <summary>Bottom of the z axis and of the colour scale; lower values are raised to it.</summary>
    public double ZMin { get; init; } = 0.1;

    /// <summary>Top of the z axis and of the colour scale; higher (diverged) values are clipped to it.</summary>
    public double ZMax { get; init; } = 10;

    /// <summary>
    /// A logarithmic z axis, coloured by log10 of the value, which shows the detail near a sharp minimum.
    /// Needs <see cref="ZMin"/> &gt; 0.
    /// </summary>
    public bool LogZ { get; init; }

    /// <summary>Text above the plot and the page title; the surface's value label when null.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the x axis.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>Label of the y axis.</summary>
    public string YLabel { get; init; } = "β";

    /// <summary>Label of the z axis; the surface's value label when null.</summary>
    public string? ZLabel { get; init; }

    /// <summary>Plot width in CSS pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Plot height in CSS pixels.</summary>
    public int Height { get; init; } = 600;
}
