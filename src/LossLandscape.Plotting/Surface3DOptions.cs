namespace LossLandscape.Plotting;

/// <summary>
/// How the 3D surface looks. The defaults are the paper's (values clipped to [0.1, 10]) seen from
/// matplotlib's default 3D view (azimuth −60°, elevation 30°).
/// </summary>
public sealed record Surface3DOptions
{
    /// <summary>Rotation of the view about the vertical axis in degrees, from +α toward +β.</summary>
    public double Azimuth { get; init; } = -60;

    /// <summary>Height of the view above the α–β floor in degrees, between −90 and 90.</summary>
    public double Elevation { get; init; } = 30;

    /// <summary>Bottom of the vertical axis and the colour scale; lower values are drawn at it.</summary>
    public double ZMin { get; init; } = 0.1;

    /// <summary>Top of the vertical axis and the colour scale; higher (diverged) values are flattened to it.</summary>
    public double ZMax { get; init; } = 10;

    /// <summary>Height and colour by log10 of the value, which opens up a sharp minimum. Needs <see cref="ZMin"/> &gt; 0.</summary>
    public bool LogZ { get; init; }

    /// <summary>Draws thin lines along the grid cells' edges, which show the shape where the colour changes slowly.</summary>
    public bool EdgeLines { get; init; } = true;

    /// <summary>Text above the plot; the surface's title, else its value label, when null.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the α axis.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>Label of the β axis.</summary>
    public string YLabel { get; init; } = "β";

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 600;
}
