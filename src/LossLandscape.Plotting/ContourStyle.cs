namespace LossLandscape.Plotting;

/// <summary>How a 2D landscape is drawn.</summary>
public enum ContourStyle
{
    /// <summary>Contour lines only, coloured by level, as in the paper's 2D figures.</summary>
    Lines,

    /// <summary>A colour map of the values with a colour bar, and the contour lines drawn on top.</summary>
    Filled,
}
