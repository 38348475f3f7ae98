using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Lays out the paper's 2D figure: contour lines at fixed levels over α (x) and β (y), the origin
/// marked, and a colour bar: for the filled style that of the colour map underneath the lines, for
/// lines alone that of the lines' own colours, so every level can be read, not only the labelled ones.
/// </summary>
internal static class ContourPlotBuilder
{
    private static readonly Color OriginColor = Color.FromHex("#d62728");
    private static readonly Color PathColor = Color.FromHex("#ff7f0e");
    private const int MaxLevelLabels = 8;
    private const float LabelFontSize = 11;
    private const float LabelPadding = 1;

    /// <summary>Viridis stops at 0.9 for lines: its top is too pale to read as a thin line on white.</summary>
    private const double LineColormapTop = 0.9;

    /// <param name="colorBar">Whether the plot gets its own colour bar; panels share one drawn beside them instead.</param>
    public static Plot Build(SurfacePlotData data, ContourPlotOptions options, bool colorBar = true)
    {
        var plot = new Plot();
        double[] levels = ContourLevels.Compute(options.Min, options.Max, options.LevelStep, options.LogLevels);
        List<ContourLine> lines = ContourTracer.Trace(data.X, data.Y, data.Values, levels);
        bool filled = options.Style == ContourStyle.Filled;
        var (layout, legendBelow) = DataAreaLayout.ForContour(data, options, colorBar);
        PixelRect area = layout.Area;

        if (filled)
            ColorMapLayer.Add(plot, data, new ColorScale(options.Min, options.Max, options.LogColor), colorBar, smooth: true);
        else if (colorBar)
            AddLineColorBar(plot, data, options);

        foreach (ContourLine line in lines)
        {
            var drawn = plot.Add.ScatterLine(line.X, line.Y, LineColor(line.Level, options, filled));
            drawn.LineWidth = filled ? 1 : 1.5f;
        }
        if (options.LabelLevels)
            AddLevelLabels(plot, lines, options, filled, data, area);

        if (IsInside(0, data.X) && IsInside(0, data.Y))
            plot.Add.Marker(0, 0, MarkerShape.FilledCircle, 8, OriginColor);

        if (data.Path is { } path)
            AddPath(plot, path, data, legendBelow);

        plot.Axes.SetLimits(data.X[0], data.X[^1], data.Y[0], data.Y[^1]);
        // The automatic density puts a label every 0.1 on a [-1, 1] y axis; about as many as on x reads better.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.XLabel(options.XLabel);
        plot.YLabel(options.YLabel);
        plot.Title(options.Title ?? data.Title ?? data.ValueLabel);
        plot.Layout.Fixed(area);
        plot.Font.Set(EmbeddedFonts.FamilyName);
        return plot;
    }

    private static Color LineColor(double level, ContourPlotOptions options, bool filled)
    {
        if (filled)
            return Colors.White.WithAlpha(0.6);
        double position = options.LogLevels
            ? Math.Log(level / options.Min) / Math.Log(options.Max / options.Min)
            : (level - options.Min) / (options.Max - options.Min);
        return LineColormap.Instance.GetColor(position);
    }

    /// <summary>The colour bar of the lines' colours, in value units (log10 ticks for log levels).</summary>
    private static void AddLineColorBar(Plot plot, SurfacePlotData data, ContourPlotOptions options)
    {
        var scale = new ColorScale(options.Min, options.Max, options.LogLevels);
        var bar = plot.Add.ColorBar(new LineColorAxis(scale));
        bar.Label = data.ValueLabel;
        bar.Axis.TickGenerator = scale.Log
            ? LogTicks.Create(scale.AxisLow, scale.AxisHigh)
            : new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
    }

    /// <summary>Viridis up to <see cref="LineColormapTop"/>: the colours the contour lines are drawn in.</summary>
    private sealed class LineColormap : IColormap
    {
        public static readonly LineColormap Instance = new();
        private static readonly ScottPlot.Colormaps.Viridis Viridis = new();

        public string Name => "Viridis (lines)";

        public Color GetColor(double normalizedIntensity) => Viridis.GetColor(LineColormapTop * Math.Clamp(normalizedIntensity, 0, 1));
    }

    /// <summary>What a ScottPlot colour bar needs: the line colours and the level range on the colour axis.</summary>
    private sealed class LineColorAxis(ColorScale scale) : IHasColorAxis
    {
        public IColormap Colormap => LineColormap.Instance;

        public ScottPlot.Range GetRange() => new(scale.AxisLow, scale.AxisHigh);
    }

    /// <summary>
    /// Labels at most a handful of levels, on the longest piece of each, so the values can be read
    /// without the labels crowding the lines. Each label sits where its whole box lies inside the
    /// data area (the nearest such point of the line to where it would go), since anything beyond
    /// the axes is clipped; a level whose line has no such point is left unlabelled.
    /// </summary>
    private static void AddLevelLabels(Plot plot, List<ContourLine> lines, ContourPlotOptions options, bool filled, SurfacePlotData data, PixelRect area)
    {
        double unitsPerPixelX = (data.X[^1] - data.X[0]) / area.Width, unitsPerPixelY = (data.Y[^1] - data.Y[0]) / area.Height;
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
            int preferred = (int)(line.X.Length * (0.15 + 0.7 * ((k / every) % 4) / 4.0));
            string label = line.Level.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
            SkiaSharp.SKSize size = CanvasText.Measure(label, LabelFontSize);
            // Half the box, with the padding, the background's antialiased edge and a pixel to spare.
            double halfWidth = (size.Width / 2 + LabelPadding + 3) * unitsPerPixelX, halfHeight = (LabelFontSize / 2 + LabelPadding + 3) * unitsPerPixelY;
            bool Fits(int i) =>
                line.X[i] - halfWidth >= data.X[0] && line.X[i] + halfWidth <= data.X[^1]
                && line.Y[i] - halfHeight >= data.Y[0] && line.Y[i] + halfHeight <= data.Y[^1];
            var fitting = Enumerable.Range(0, line.X.Length).Where(Fits).ToList();
            if (fitting.Count == 0)
                continue;
            int at = fitting.MinBy(i => Math.Abs(i - preferred));
            var text = plot.Add.Text(label, line.X[at], line.Y[at]);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = LabelFontSize;
            text.LabelFontColor = filled ? Colors.Black : LineColor(line.Level, options, filled);
            text.LabelBackgroundColor = Colors.White.WithAlpha(filled ? 0.7 : 0.85);
            text.LabelPadding = LabelPadding;
        }
    }

    /// <param name="legendBelow">One row under the axes (a flat area, see <see cref="DataAreaLayout.ForContour"/>) instead of a corner inside.</param>
    private static void AddPath(Plot plot, PathOverlay path, SurfacePlotData data, bool legendBelow)
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
        var marks = path.Marks.Select(m => (Mark: m, Drawn: plot.Add.Marker(m.X, m.Y, MarkerShape.OpenCircle, 13, Colors.Black))).ToArray();
        if (path.Label is not null)
        {
            drawn.LegendText = path.Label;
            start.LegendText = path.StartLabel;
            end.LegendText = path.EndLabel;
            foreach (var (mark, marker) in marks) marker.LegendText = mark.Label;
            if (legendBelow)
                plot.ShowLegend(Edge.Bottom);
            else
                plot.ShowLegend(LegendCorner(path, data));
        }
    }

    /// <summary>
    /// The corner whose quarter of the plot holds the fewest path points (upper right on a tie), so
    /// the legend does not hide the start or the end of the path.
    /// </summary>
    internal static Alignment LegendCorner(PathOverlay path, SurfacePlotData data)
    {
        double midX = (data.X[0] + data.X[^1]) / 2, midY = (data.Y[0] + data.Y[^1]) / 2;
        (Alignment Corner, Func<double, double, bool> Holds)[] corners =
        [
            (Alignment.UpperRight, (x, y) => x >= midX && y >= midY),
            (Alignment.UpperLeft, (x, y) => x < midX && y >= midY),
            (Alignment.LowerRight, (x, y) => x >= midX && y < midY),
            (Alignment.LowerLeft, (x, y) => x < midX && y < midY),
        ];
        // The start and end count extra: hiding them loses the most.
        int Weight(int index) => index == 0 || index == path.X.Length - 1 ? path.X.Length : 1;
        return corners
            .Select(c => (c.Corner, Count: Enumerable.Range(0, path.X.Length).Where(i => c.Holds(path.X[i], path.Y[i])).Sum(Weight)))
            .OrderBy(c => c.Count)
            .First().Corner;
    }

    private static bool IsInside(double value, double[] ascending) => ascending[0] <= value && value <= ascending[^1];
}
