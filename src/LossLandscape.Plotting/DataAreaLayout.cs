using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>Where the axes of a 2D α–β plot go in its image.</summary>
internal static class DataAreaLayout
{
    /// <summary>Room right of the axes for a ScottPlot colour bar with its ticks and label.</summary>
    public const float ColorBarMargin = 130;

    private const float PlainRightMargin = 30;

    /// <summary>
    /// A fixed data area, so a colour map lines up with the axes exactly, and with equal units on
    /// both axes when their ranges are comparable, so contours keep their true shape.
    /// </summary>
    public static PixelRect Compute(SurfacePlotData data, int width, int height, bool colorBar)
    {
        float left = 80, right = width - (colorBar ? ColorBarMargin : PlainRightMargin);
        float top = 50, bottom = height - 65;
        double unitsRatio = (data.X[^1] - data.X[0]) / (data.Y[^1] - data.Y[0]);
        if (unitsRatio is > 0.5 and < 2)
        {
            float areaWidth = right - left, areaHeight = bottom - top;
            if (areaWidth / areaHeight > unitsRatio)
            {
                float excess = areaWidth - (float)(areaHeight * unitsRatio);
                left += excess / 2;
                right -= excess / 2;
            }
            else
            {
                float excess = areaHeight - (float)(areaWidth / unitsRatio);
                top += excess / 2;
                bottom -= excess / 2;
            }
        }
        return new PixelRect(left: left, right: right, bottom: bottom, top: top);
    }
}
