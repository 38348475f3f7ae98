namespace LossLandscape.PowerShell.Types;

public enum PlotLayout
{
    /// <summary>One file per surface.</summary>
    Single,

    /// <summary>All piped 2D surfaces in one image, side by side, on one colour scale.</summary>
    Grid,
}
