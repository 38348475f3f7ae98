namespace LossLandscape.PowerShell.Types;

public enum PlotLayout
{
    /// <summary>One file per surface.</summary>
    Single,

    /// <summary>All piped 2D surfaces in one image, side by side, on one colour scale.</summary>
    Grid,

    /// <summary>All piped 1D surfaces on one axis (loss and error panels), one colour per surface, train solid, test dashed.</summary>
    Overlay,
}
