using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Lays out the paper's 2D figure: contour lines at fixed levels over α (x) and β (y), the origin
/// marked, and for the filled style a colour map with a colour bar underneath the lines.
/// </summary>
internal static class ContourPlotBuilder
{
    private static readonly Color OriginColor = Color.FromHex("#d62728");
    private static readonly Color PathColor = Color.FromHex("#ff7f0e");
    private const int MaxLevelLabels = 8;

    public static Plot Build(SurfacePlotData data, ContourPlotOptions options)
    {
        var plot = new Plot();
        double[] levels = ContourLevels.Compute(options.Min, options.Max, options.LevelStep);
        List<ContourLine> lines = ContourTracer.Trace(data.X, data.Y, data.Values, levels);
        bool filled = options.Style == ContourStyle.Filled;

        if (filled)
            AddColorMap(plot, data, options);

        foreach (ContourLine line in lines)
        {
            var drawn = plot.Add.ScatterLine(line.X, line.Y, LineColor(line.Level, options, filled));
            drawn.LineWidth = filled ? 1 : 1.5f;
        }
        if (options.LabelLevels)
            AddLevelLabels(plot, lines, options, filled);

        if (IsInside(0, data.X) && IsInside(0, data.Y))
            plot.Add.Marker(0, 0, MarkerShape.FilledCircle, 8, OriginColor);

        if (data.Path is { } path)
            AddPath(plot, path);

        plot.Axes.SetLimits(data.X[0], data.X[^1], data.Y[0], data.Y[^1]);
        // The automatic density puts a label every 0.1 on a [-1, 1] y axis; about as many as on x reads better.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.XLabel(options.XLabel);
        plot.YLabel(options.YLabel);
        plot.Title(options.Title ?? data.ValueLabel);
        plot.Layout.Fixed(DataRect(data, options));
        plot.Font.Set(EmbeddedFonts.FamilyName);
        return plot;
    }

    private static void AddColorMap(Plot plot, SurfacePlotData data, ContourPlotOptions options)
    {
        var heatmap = plot.Add.Heatmap(ColorValues(data.Values, options));
        // Row 0 is the lowest β, but ScottPlot draws row 0 at the top unless told otherwise.
        heatmap.FlipVertically = true;
        double halfCellX = (data.X[^1] - data.X[0]) / (data.X.Length - 1) / 2;
        double halfCellY = (data.Y[^1] - data.Y[0]) / (data.Y.Length - 1) / 2;
        // Rectangle gives the outer edges, so half a cell beyond the first and last points puts
        // every cell centre on its grid point.
        heatmap.Rectangle = new CoordinateRect(
            data.X[0] - halfCellX, data.X[^1] + halfCellX, data.Y[0] - halfCellY, data.Y[^1] + halfCellY);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = options.LogColor
            ? new ScottPlot.Range(Math.Log10(options.Min), Math.Log10(options.Max))
            : new ScottPlot.Range(options.Min, options.Max);

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = data.ValueLabel;
        colorBar.Axis.TickGenerator = options.LogColor
            ? LogTicks.Create(Math.Log10(options.Min), Math.Log10(options.Max))
            : new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
    }

    /// <summary>
    /// Clips to [Min, Max] so one diverged point cannot wash out the colour scale; NaN (and −∞,
    /// which no loss can be) stays NaN and is drawn transparent.
    /// </summary>
    private static double[,] ColorValues(double[,] values, ContourPlotOptions options)
    {
        var clipped = new double[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < clipped.GetLength(0); i++)
        {
            for (int j = 0; j < clipped.GetLength(1); j++)
            {
                double v = values[i, j];
                double c = double.IsNaN(v) || double.IsNegativeInfinity(v) ? double.NaN : Math.Clamp(v, options.Min, options.Max);
                clipped[i, j] = options.LogColor ? Math.Log10(c) : c;
            }
        }
        return clipped;
    }

    private static Color LineColor(double level, ContourPlotOptions options, bool filled)
    {
        if (filled)
            return Colors.White.WithAlpha(0.6);
        // The top of the colour map is too pale to read as a thin line on white.
        double position = 0.9 * (level - options.Min) / (options.Max - options.Min);
        return new ScottPlot.Colormaps.Viridis().GetColor(position);
    }

    /// <summary>
    /// Labels at most a handful of levels, on the longest piece of each, so the values can be read
    /// without the labels crowding the lines.
    /// </summary>
    private static void AddLevelLabels(Plot plot, List<ContourLine> lines, ContourPlotOptions options, bool filled)
    {
        var longestPerLevel = lines
            .GroupBy(line => line.Level)
            .Select(group => group.MaxBy(line => line.X.Length)!)
            .OrderBy(line => line.Level)
            .ToList();
        int every = Math.Max(1, (int)Math.Ceiling(longestPerLevel.Count / (double)MaxLevelLabels));
        for (int k = 0; k < longestPerLevel.Count; k += every)
        {
            ContourLine line = longestPerLevel[k];
            // Spread the labels around the rings rather than stacking them along one ray.
            int index = (int)(line.X.Length * (0.15 + 0.7 * ((k / every) % 4) / 4.0));
            var text = plot.Add.Text(line.Level.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                line.X[index], line.Y[index]);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = 11;
            text.LabelFontColor = filled ? Colors.Black : LineColor(line.Level, options, filled);
            text.LabelBackgroundColor = Colors.White.WithAlpha(filled ? 0.7 : 0.85);
            text.LabelPadding = 1;
        }
    }

    private static void AddPath(Plot plot, PathOverlay path)
    {
        var drawn = plot.Add.Scatter(path.X, path.Y, PathColor);
        drawn.LineWidth = 1.5f;
        drawn.MarkerSize = 5;
        foreach (var index in path.Highlight ?? [])
        {
            if (index >= 0 && index < path.X.Length) plot.Add.Marker(path.X[index], path.Y[index], MarkerShape.FilledCircle, 9, Colors.Red);
        }
        var start = plot.Add.Marker(path.X[0], path.Y[0], MarkerShape.FilledSquare, 10, Colors.Black);
        var end = plot.Add.Marker(path.X[^1], path.Y[^1], MarkerShape.FilledDiamond, 12, Colors.Black);
        if (path.Label is not null)
        {
            drawn.LegendText = path.Label;
            start.LegendText = "start";
            end.LegendText = "end";
            plot.ShowLegend(Alignment.UpperRight);
        }
    }

    private static bool IsInside(double value, double[] ascending) => ascending[0] <= value && value <= ascending[^1];

    /// <summary>
    /// A fixed data area, so the colour map lines up with the axes exactly, and with equal units on
    /// both axes when their ranges are comparable, so the contours keep their true shape.
    /// </summary>
    private static PixelRect DataRect(SurfacePlotData data, ContourPlotOptions options)
    {
        float left = 80, right = options.Width - (options.Style == ContourStyle.Filled ? 130 : 30);
        float top = 50, bottom = options.Height - 65;
        double unitsRatio = (data.X[^1] - data.X[0]) / (data.Y[^1] - data.Y[0]);
        if (unitsRatio is > 0.5 and < 2)
        {
            float width = right - left, height = bottom - top;
            if (width / height > unitsRatio)
            {
                float excess = width - (float)(height * unitsRatio);
                left += excess / 2;
                right -= excess / 2;
            }
            else
            {
                float excess = height - (float)(width / unitsRatio);
                top += excess / 2;
                bottom -= excess / 2;
            }
        }
        return new PixelRect(left: left, right: right, bottom: bottom, top: top);
    }
}
