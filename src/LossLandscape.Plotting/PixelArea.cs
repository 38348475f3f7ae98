namespace LossLandscape.Plotting;

/// <summary>A rectangle of the image in pixels, y growing downward as in the image file.</summary>
public readonly record struct PixelArea(float Left, float Top, float Right, float Bottom)
{
    /// <summary>Width in pixels.</summary>
    public float Width => Right - Left;

    /// <summary>Height in pixels.</summary>
    public float Height => Bottom - Top;
}
