using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// A surface as a viridis colour map under a 2D α–β plot, each cell centred on its grid point,
/// optionally with a colour bar that reads in value units.
/// </summary>
internal static class ColorMapLayer
{
    /// <summary>
    /// Points per axis a smooth map is refined to at least: about one per pixel of an 800-pixel
    /// image's data area, so no cell edge is visible and the colours meet the contour lines (which
    /// are traced by linear interpolation too) where they are drawn.
    /// </summary>
    internal const int SmoothPoints = 600;

    /// <param name="smooth">
    /// Refine the grid by bilinear interpolation before colouring (filled contours), instead of one
    /// flat cell per grid point (a heatmap), whose staircase edges hide the landscape's shape.
    /// </param>
    public static void Add(Plot plot, SurfacePlotData data, ColorScale scale, bool colorBar, bool smooth)
    {
        if (smooth)
            data = SurfaceResampler.Refine(data, RefineFactor(Math.Min(data.X.Length, data.Y.Length)));
        var heatmap = plot.Add.Heatmap(ColorValues(data.Values, scale));
        // Row 0 is the lowest β, but ScottPlot draws row 0 at the top unless told otherwise.
        heatmap.FlipVertically = true;
        double halfCellX = (data.X[^1] - data.X[0]) / (data.X.Length - 1) / 2;
        double halfCellY = (data.Y[^1] - data.Y[0]) / (data.Y.Length - 1) / 2;
        // Rectangle gives the outer edges, so half a cell beyond the first and last points puts
        // every cell centre on its grid point.
        heatmap.Rectangle = new CoordinateRect(
            data.X[0] - halfCellX, data.X[^1] + halfCellX, data.Y[0] - halfCellY, data.Y[^1] + halfCellY);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(scale.AxisLow, scale.AxisHigh);

        if (!colorBar)
            return;
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = data.ValueLabel;
        bar.Axis.TickGenerator = scale.Log
            ? LogTicks.Create(scale.AxisLow, scale.AxisHigh)
            : new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
    }

    /// <summary>The split of each cell that gives at least <see cref="SmoothPoints"/> points on the shorter axis, at most 32.</summary>
    internal static int RefineFactor(int points) => Math.Clamp((int)Math.Ceiling(SmoothPoints / (double)(points - 1)), 1, 32);

    /// <summary>
    /// Clipped to the scale so one diverged point cannot wash out the colours; NaN (and −∞, which no
    /// loss can be) stays NaN and is drawn transparent.
    /// </summary>
    private static double[,] ColorValues(double[,] values, ColorScale scale)
    {
        var clipped = new double[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < clipped.GetLength(0); i++)
            for (int j = 0; j < clipped.GetLength(1); j++)
                clipped[i, j] = scale.ToAxis(values[i, j]);
        return clipped;
    }
}
