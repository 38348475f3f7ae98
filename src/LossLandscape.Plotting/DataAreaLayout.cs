using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>Where the axes of a 2D α–β plot go in its image.</summary>
internal static class DataAreaLayout
{
    /// <summary>Room right of the axes for a ScottPlot colour bar with its ticks and label.</summary>
    public const float ColorBarMargin = 130;

    private const float PlainRightMargin = 30;

    /// <summary>Room under the x axis label for a one-row legend.</summary>
    private const float LegendBelowMargin = 30;

    /// <summary>
    /// The layout of a contour plot, and whether its path's legend goes below the axes: in an area
    /// more than twice as wide as high (a PCA plane at equal units) a legend inside would cover a
    /// large share of it, and of the path.
    /// </summary>
    public static (FigureLayout Layout, bool LegendBelow) ForContour(SurfacePlotData data, ContourPlotOptions options, bool colorBar)
    {
        FigureLayout layout = Compute(data, options.Width, options.Height, colorBar, options.EqualAspect);
        bool below = data.Path?.Label is not null && layout.Area.Width > 2 * layout.Area.Height;
        return below ? (Compute(data, options.Width, options.Height, colorBar, options.EqualAspect, LegendBelowMargin), true) : (layout, false);
    }

    /// <summary>
    /// A fixed data area, so a colour map lines up with the axes exactly, with equal units on both
    /// axes when <paramref name="equalAspect"/> asks for it, so contours and paths keep their true
    /// shape; when it is null, only when the ranges are comparable (within a factor 2), as a very
    /// flat area hides the landscape of a random plane whose ranges were chosen apart on purpose.
    /// When equal units are asked for explicitly, the blank band they leave beside or above the
    /// axes is cut off: the image shrinks to the figure (a PCA plane is often several times wider
    /// than high, and would otherwise float in a mostly empty image).
    /// </summary>
    /// <returns>The data area and the image size, at most <paramref name="width"/> × <paramref name="height"/>.</returns>
    /// <param name="belowAxes">Extra room under the x axis label, for a legend there.</param>
    public static FigureLayout Compute(SurfacePlotData data, int width, int height, bool colorBar, bool? equalAspect = null, float belowAxes = 0)
    {
        float left = 80, right = width - (colorBar ? ColorBarMargin : PlainRightMargin);
        float top = 50, bottom = height - 65 - belowAxes;
        double unitsRatio = (data.X[^1] - data.X[0]) / (data.Y[^1] - data.Y[0]);
        if (equalAspect ?? unitsRatio is > 0.5 and < 2)
        {
            float areaWidth = right - left, areaHeight = bottom - top;
            if (areaWidth / areaHeight > unitsRatio)
            {
                float excess = areaWidth - (float)(areaHeight * unitsRatio);
                if (equalAspect == true)
                {
                    right -= excess;
                    width -= (int)excess;
                }
                else
                {
                    left += excess / 2;
                    right -= excess / 2;
                }
            }
            else
            {
                float excess = areaHeight - (float)(areaWidth / unitsRatio);
                if (equalAspect == true)
                {
                    bottom -= excess;
                    height -= (int)excess;
                }
                else
                {
                    top += excess / 2;
                    bottom -= excess / 2;
                }
            }
        }
        return new FigureLayout(new PixelRect(left: left, right: right, bottom: bottom, top: top), width, height);
    }
}

/// <summary>Where the axes go in an image, and the image's size.</summary>
internal readonly record struct FigureLayout(PixelRect Area, int Width, int Height);
