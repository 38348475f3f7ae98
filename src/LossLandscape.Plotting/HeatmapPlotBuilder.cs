using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>Lays out a scalar map over α (x) and β (y): colour cells centred on the grid points and a labelled colour bar.</summary>
internal static class HeatmapPlotBuilder
{
    private static readonly Color OriginColor = Color.FromHex("#d62728");

    public static Plot Build(SurfacePlotData data, HeatmapOptions options)
    {
        var plot = new Plot();
        // Cells, not a smoothed map: a heatmap shows exactly what each grid point holds.
        ColorMapLayer.Add(plot, data, Scale(data, options), colorBar: true, smooth: false);
        if (options.MarkOrigin && data.X[0] <= 0 && 0 <= data.X[^1] && data.Y[0] <= 0 && 0 <= data.Y[^1])
        {
            // Hollow, so the cell under it keeps its colour.
            var origin = plot.Add.Marker(0, 0, MarkerShape.OpenCircle, 12, OriginColor);
            origin.MarkerLineWidth = 2;
        }

        plot.Axes.SetLimits(data.X[0], data.X[^1], data.Y[0], data.Y[^1]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 11 };
        plot.XLabel(options.XLabel);
        plot.YLabel(options.YLabel);
        plot.Title(options.Title ?? data.Title ?? data.ValueLabel);
        plot.Layout.Fixed(DataAreaLayout.Compute(data, options.Width, options.Height, colorBar: true, options.EqualAspect).Area);
        plot.Font.Set(EmbeddedFonts.FamilyName);
        return plot;
    }

    /// <summary>
    /// The given ends, else the data's finite extremes (positive ones on a log scale), widened when
    /// the map is flat so the scale still has a height.
    /// </summary>
    private static ColorScale Scale(SurfacePlotData data, HeatmapOptions options)
    {
        var usable = data.Values.Cast<double>().Where(v => double.IsFinite(v) && (!options.LogColor || v > 0)).ToList();
        double low = options.Min ?? (usable.Count > 0 ? usable.Min() : options.LogColor ? 0.1 : 0);
        double high = options.Max ?? (usable.Count > 0 ? usable.Max() : 1);
        if (!(low < high))
        {
            if (options.LogColor)
            {
                if (options.Max is null) high = low * 10;
                else low = high / 10;
            }
            else
            {
                double pad = Math.Max(Math.Abs(low) * 0.1, 0.5);
                if (options.Max is null) high = low + pad;
                else low = high - pad;
            }
        }
        return new ColorScale(low, high, options.LogColor);
    }
}
