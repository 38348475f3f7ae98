using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Loss (left) and error (right) along one x axis for several curves (paths between two models along
/// t, or checkpoints' slices along α), one colour per curve, train solid and test dashed; the legend
/// sits under the panels so it never hides a barrier.
/// </summary>
internal sealed class PathComparisonFigure(PathComparisonData data, PathComparisonOptions options)
{
    private const float TitleHeight = 40;
    private const float LegendHeight = 46;

    private static readonly Color[] Palette = [Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"), Color.FromHex("#ff7f0e"), Color.FromHex("#8c564b")];

    public int Width => options.Width;

    public int Height => options.Height;

    /// <summary>Draws both panels, the legend and the title; returns the panels' data areas, loss first.</summary>
    public List<PixelArea> Draw(SKCanvas canvas)
    {
        var top = options.Title is null ? 10 : TitleHeight;
        var panelHeight = Height - top - LegendHeight;
        var panelWidth = Width / 2f;
        var areas = new List<PixelArea>(2);
        var panels = new (string Label, Func<PathSeries, double[]> Train, Func<PathSeries, double[]?> Test)[]
        {
            ("loss", p => p.TrainLoss, p => p.TestLoss),
            ("error (%)", p => p.TrainError, p => p.TestError),
        };
        for (var k = 0; k < panels.Length; k++)
        {
            var plot = new Plot();
            for (var i = 0; i < data.Paths.Count; i++)
            {
                var path = data.Paths[i];
                var color = Palette[i % Palette.Length];
                AddLine(plot, path.T, panels[k].Train(path), color, LinePattern.Solid);
                if (panels[k].Test(path) is { } test) AddLine(plot, path.T, test, color, LinePattern.Dashed);
            }
            plot.Axes.Left.Label.Text = panels[k].Label;
            plot.Axes.Bottom.Label.Text = data.XLabel;
            var values = data.Paths.SelectMany(p => panels[k].Train(p).Concat(panels[k].Test(p) ?? [])).Where(double.IsFinite).ToArray();
            var high = values.Length == 0 ? 1 : values.Max();
            plot.Axes.SetLimits(data.XMin, data.XMax, 0, high > 0 ? high * 1.08 : 1);
            canvas.Save();
            canvas.Translate(k * panelWidth, top);
            canvas.ClipRect(SKRect.Create(panelWidth, panelHeight));
            plot.Render(canvas, (int)panelWidth, (int)panelHeight);
            canvas.Restore();
            PixelRect rect = plot.LastRender.DataRect;
            areas.Add(new PixelArea(k * panelWidth + rect.Left, top + rect.Top, k * panelWidth + rect.Right, top + rect.Bottom));
        }
        DrawLegend(canvas, top + panelHeight);
        if (options.Title is not null)
            CanvasText.DrawCentered(canvas, options.Title, Width / 2f, TitleHeight / 2 + 4, 18, bold: true);
        return areas;
    }

    private static void AddLine(Plot plot, double[] t, double[] values, Color color, LinePattern pattern)
    {
        // Points not computed or diverged are gaps, not zeros.
        var finite = Enumerable.Range(0, t.Length).Where(i => double.IsFinite(values[i])).ToArray();
        var line = plot.Add.Scatter(finite.Select(i => t[i]).ToArray(), finite.Select(i => values[i]).ToArray());
        line.Color = color;
        line.LineWidth = 2;
        line.MarkerSize = 4;
        line.LinePattern = pattern;
    }

    /// <summary>One entry per path in its colour, then what solid and dashed mean.</summary>
    private void DrawLegend(SKCanvas canvas, float top)
    {
        var entries = data.Paths.Select((p, i) => (p.Label, Palette[i % Palette.Length], false)).ToList();
        entries.Add(("train", Colors.Black, false));
        if (data.Paths.Any(p => p.TestLoss is not null)) entries.Add(("test", Colors.Black, true));
        var textWidths = entries.Select(e => CanvasText.Measure(e.Item1, 13).Width).ToArray();
        var widths = textWidths.Select(w => 34 + w + 18).ToArray();
        var x = Math.Max(10, (Width - widths.Sum()) / 2);
        var y = top + LegendHeight / 2;
        for (var i = 0; i < entries.Count; i++)
        {
            var (label, color, dashed) = entries[i];
            using var paint = new SKPaint { Color = new SKColor(color.R, color.G, color.B), StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            if (dashed) paint.PathEffect = SKPathEffect.CreateDash([6, 4], 0);
            canvas.DrawLine(x, y, x + 26, y, paint);
            CanvasText.DrawCentered(canvas, label, x + 32 + textWidths[i] / 2, y, 13);
            x += widths[i];
        }
    }
}
