namespace LossLandscape.PowerShell.Types;

/// <summary>How Export-LandscapePlot draws a 2D surface (1D surfaces are always curves).</summary>
public enum PlotStyle
{
    /// <summary>Contour lines at the levels -Min, -Min + -LevelStep, … -Max (the paper's figure).</summary>
    Lines,

    /// <summary>A filled colour map with the contour lines on top and a colour bar.</summary>
    Filled,

    /// <summary>A colour map of the values alone (any scalar grid).</summary>
    Heatmap,

    /// <summary>A 3D surface seen from a fixed camera, drawn to PNG/SVG.</summary>
    Surface3D,
}
