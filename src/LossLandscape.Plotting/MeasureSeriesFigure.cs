using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Measurements against the training position, one panel per quantity, side by side so a change in
/// one (a jump in test accuracy) can be read against the others at the same x.
/// </summary>
internal sealed class MeasureSeriesFigure(MeasureSeriesData data, MeasureSeriesOptions options)
{
    private const float TitleHeight = 40;

    private static readonly Color[] Palette = [Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd")];

    public int Width => options.Width;

    public int Height => options.Height;

    public List<PixelArea> Draw(SKCanvas canvas)
    {
        var top = options.Title is null ? 10 : TitleHeight;
        var panelHeight = Height - top;
        var panelWidth = (float)Width / data.Series.Count;
        var xMin = data.Series.Min(s => s.X.Min());
        var xMax = data.Series.Max(s => s.X.Max());
        var pad = xMax > xMin ? 0.03 * (xMax - xMin) : 1;
        var areas = new List<PixelArea>(data.Series.Count);
        for (var k = 0; k < data.Series.Count; k++)
        {
            var series = data.Series[k];
            var finite = Enumerable.Range(0, series.X.Length).Where(i => double.IsFinite(series.Y[i])).ToArray();
            var values = finite.Select(i => series.Y[i]).ToArray();
            var logScale = options.LogScale && values.Length > 0 && values.All(v => v > 0);
            var plot = new Plot();
            var line = plot.Add.Scatter(finite.Select(i => series.X[i]).ToArray(), values.Select(v => logScale ? Math.Log10(v) : v).ToArray());
            line.Color = Palette[k % Palette.Length];
            line.LineWidth = 2;
            line.MarkerSize = 6;
            var (low, high) = values.Length == 0 ? (0.0, 1.0) : (values.Min(), values.Max());
            if (logScale)
            {
                (low, high) = (Math.Log10(low), Math.Log10(high));
                plot.Axes.Left.TickGenerator = LogTicks.Create(low, high);
            }
            var span = high > low ? high - low : Math.Max(Math.Abs(high), 1);
            var (yLow, yHigh) = (logScale || low < 0 ? low - 0.08 * span : 0, high + 0.08 * span);
            foreach (var mark in data.Marks)
            {
                var rule = plot.Add.VerticalLine(mark);
                rule.Color = Colors.Gray;
                rule.LinePattern = LinePattern.Dashed;
                rule.LineWidth = 1.5f;
            }
            // Above the panel, not along its y axis: a quantity's name with its setting is longer than the axis.
            plot.Axes.Title.Label.Text = series.Label;
            plot.Axes.Title.Label.FontSize = 15;
            plot.Axes.Bottom.Label.Text = data.XLabel;
            plot.Axes.SetLimits(xMin - pad, xMax + pad, yLow, yHigh);
            canvas.Save();
            canvas.Translate(k * panelWidth, top);
            canvas.ClipRect(SKRect.Create(panelWidth, panelHeight));
            plot.Render(canvas, (int)panelWidth, (int)panelHeight);
            canvas.Restore();
            PixelRect rect = plot.LastRender.DataRect;
            areas.Add(new PixelArea(k * panelWidth + rect.Left, top + rect.Top, k * panelWidth + rect.Right, top + rect.Bottom));
        }
        if (options.Title is not null)
            CanvasText.DrawCentered(canvas, options.Title, Width / 2f, TitleHeight / 2 + 4, 18, bold: true);
        return areas;
    }
}
