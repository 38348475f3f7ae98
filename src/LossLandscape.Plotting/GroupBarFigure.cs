using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// The per-group bars stacked in panels that share their x axis: the trace shares on top (with
/// standard-error whiskers), λmax of each group's block below. The panels get the same fixed
/// margins, so a group's bars sit exactly above one another; only the lowest panel names the
/// groups, turned by 45° when the names do not fit side by side.
/// </summary>
internal sealed class GroupBarFigure
{
    /// <summary>The ratio of largest to smallest value from which a panel goes to a log axis by itself.</summary>
    private const double AutomaticLogSpan = 100;

    private const float TitleHeight = 40;
    private const float PanelTitleRoom = 30;
    private const float RightMargin = 20;
    private const float MinimumLeftMargin = 80;
    private const float TickLabelSize = 12;
    private const float StraightLabelRoom = 30;

    private static readonly Color TraceColor = Color.FromHex("#1f77b4");
    private static readonly Color EigenvalueColor = Color.FromHex("#d62728");
    private static readonly Color WhiskerColor = Color.FromHex("#222222");

    private readonly GroupBarPlotData data;
    private readonly GroupBarPlotOptions options;
    private readonly float titleRoom, labelRoom, leftMargin;
    private readonly bool turnedLabels;

    public GroupBarFigure(GroupBarPlotData data, GroupBarPlotOptions options)
    {
        this.data = data;
        this.options = options;
        titleRoom = options.Title is null ? 0 : TitleHeight;
        var widest = data.Groups.Max(name => CanvasText.Measure(name, TickLabelSize).Width);
        var slot = (options.Width - MinimumLeftMargin - RightMargin) / data.Groups.Length;
        turnedLabels = widest > 0.9f * slot;
        var diagonal = widest * MathF.Sqrt(0.5f);
        // A turned name ends at its bar and reaches down-left, so the first one needs room left of the axis too.
        leftMargin = turnedLabels ? Math.Max(MinimumLeftMargin, diagonal - slot / 2 + 10) : MinimumLeftMargin;
        labelRoom = turnedLabels ? Math.Min(diagonal + 25, options.Height * 0.4f) : StraightLabelRoom;
    }

    public int Width => options.Width;

    public int Height => options.Height;

    /// <summary>Draws the panels and the title; returns each panel's data area, top panel first.</summary>
    public List<PixelArea> Draw(SKCanvas canvas)
    {
        var panels = new List<(double[] Values, double[]? Errors, Color Color, string Title, string Label)>
        {
            (data.Trace, data.TraceError, TraceColor, data.TraceError is null ? "trace per group" : "trace per group (± standard error)", "tr(H_gg)"),
        };
        if (data.MaxEigenvalue is { } top) panels.Add((top, null, EigenvalueColor, "λmax of each group's block H_gg", "λmax(H_gg)"));

        var areas = new List<PixelArea>(panels.Count);
        var dataHeight = (Height - titleRoom - labelRoom) / panels.Count;
        var panelTop = titleRoom;
        for (var k = 0; k < panels.Count; k++)
        {
            var last = k == panels.Count - 1;
            var height = dataHeight + (last ? labelRoom : 0);
            var padding = new PixelPadding(leftMargin, RightMargin, last ? labelRoom : 10, PanelTitleRoom);
            var plot = BuildPanel(panels[k].Values, panels[k].Errors, panels[k].Color, panels[k].Label, last, padding);
            canvas.Save();
            canvas.Translate(0, panelTop);
            canvas.ClipRect(SKRect.Create(Width, height));
            plot.Render(canvas, Width, (int)height);
            canvas.Restore();
            PixelRect rect = plot.LastRender.DataRect;
            areas.Add(new PixelArea(rect.Left, panelTop + rect.Top, rect.Right, panelTop + rect.Bottom));
            // Drawn here rather than by ScottPlot, which centres a title so close to the panel's top that its ascenders are cut.
            var title = IsLog(panels[k].Values) ? $"{panels[k].Title}, log scale" : panels[k].Title;
            CanvasText.DrawCentered(canvas, title, (rect.Left + rect.Right) / 2, panelTop + PanelTitleRoom / 2 + 2, 14);
            panelTop += height;
        }
        if (options.Title is not null)
            CanvasText.DrawCentered(canvas, options.Title, Width / 2f, TitleHeight / 2 + 4, 18, bold: true);
        return areas;
    }

    /// <summary>Whether a panel of these values is drawn on a log axis.</summary>
    private bool IsLog(double[] values) =>
        options.LogScale ?? (values.All(v => v > 0) && values.Max() / values.Min() >= AutomaticLogSpan);

    private Plot BuildPanel(double[] values, double[]? errors, Color color, string label, bool namesGroups, PixelPadding padding)
    {
        var plot = new Plot();
        var log = IsLog(values);
        Func<double, double> axis = log ? Math.Log10 : v => v;
        var lows = values.Select((v, i) => v - (errors?[i] ?? 0)).ToArray();
        var highs = values.Select((v, i) => v + (errors?[i] ?? 0)).ToArray();
        double low, high;
        if (log)
        {
            // A whisker reaching below zero cannot be placed on a log axis: the bar's own value bounds the view.
            low = Math.Log10(values.Zip(lows, (v, l) => l > 0 ? l : v).Min());
            high = Math.Log10(highs.Max());
            var margin = Math.Max(high - low, 1) * 0.08;
            low -= margin;
            high += margin;
        }
        else
        {
            low = Math.Min(0, lows.Min());
            high = Math.Max(0, highs.Max());
            var margin = (high - low) * 0.06;
            if (!(margin > 0)) margin = Math.Max(Math.Abs(high), 1) * 0.5;
            if (low < 0) low -= margin;
            if (high > 0 || low == 0) high += margin;
        }

        var bars = values.Select((v, i) => new Bar
        {
            Position = i,
            Value = axis(v),
            ValueBase = log ? low : 0,
            FillColor = color,
            LineWidth = 0,
            Size = 0.7,
        }).ToList();
        plot.Add.Bars(bars);
        if (errors is not null)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (!(errors[i] > 0)) continue;
                var bottom = log ? (lows[i] > 0 ? Math.Log10(lows[i]) : low) : lows[i];
                var topEnd = axis(highs[i]);
                AddWhisker(plot, i - 0.12, i + 0.12, bottom, topEnd);
            }
        }

        plot.Axes.SetLimits(-0.5, values.Length - 0.5, low, high);
        var positions = Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, namesGroups ? data.Groups : values.Select(_ => "").ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickLabelSize;
        if (namesGroups && turnedLabels)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        }
        if (log) plot.Axes.Left.TickGenerator = LogTicks.Create(low, high);
        plot.Axes.Left.Label.Text = label;
        plot.Axes.Bottom.MajorTickStyle.Length = 4;
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.Layout.Fixed(padding);
        plot.Font.Set(EmbeddedFonts.FamilyName);
        return plot;
    }

    private static void AddWhisker(Plot plot, double left, double right, double bottom, double top)
    {
        var x = (left + right) / 2;
        foreach (var (x1, y1, x2, y2) in new[] { (x, bottom, x, top), (left, bottom, right, bottom), (left, top, right, top) })
        {
            var line = plot.Add.Line(x1, y1, x2, y2);
            line.Color = WhiskerColor;
            line.LineWidth = 1.5f;
        }
    }
}
