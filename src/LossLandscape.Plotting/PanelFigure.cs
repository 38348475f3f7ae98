using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Several filled contour plots in a grid, as the paper compares networks side by side: each panel
/// is a <see cref="ContourPlotBuilder"/> plot without a colour bar, rendered into its cell of one
/// Skia canvas, and one colour bar right of the grid shows the scale they all share. A panel of
/// another quantity than the first (its value label differs: the |λmin/λmax| map beside two loss
/// planes) is a heatmap on its own scale with its own colour bar inside its cell: on the loss scale
/// a ratio between 0 and 1 would be one colour.
/// </summary>
internal sealed class PanelFigure
{
    private const float TitleHeight = 40;

    private readonly IReadOnlyList<SurfacePlotData> surfaces;
    private readonly PanelOptions options;
    private readonly int columns, rows;
    private readonly float titleRoom;

    public PanelFigure(IReadOnlyList<SurfacePlotData> surfaces, PanelOptions options)
    {
        this.surfaces = surfaces;
        this.options = options;
        columns = Math.Min(options.Columns ?? 3, surfaces.Count);
        rows = (surfaces.Count + columns - 1) / columns;
        titleRoom = options.Title is null ? 0 : TitleHeight;
    }

    public int Width => columns * options.PanelWidth + (int)CanvasColorBar.Width + 10;

    public int Height => rows * options.PanelHeight + (int)titleRoom;

    /// <summary>The options one panel is drawn with; also what validates the shared settings against each surface.</summary>
    public ContourPlotOptions OptionsFor(SurfacePlotData surface) => new()
    {
        Style = ContourStyle.Filled,
        Min = options.Min,
        Max = options.Max,
        LevelStep = options.LevelStep,
        LogColor = options.LogColor,
        LabelLevels = options.LabelLevels,
        Title = surface.Title ?? surface.ValueLabel,
        XLabel = options.XLabel,
        YLabel = options.YLabel,
        Width = options.PanelWidth,
        Height = options.PanelHeight,
    };

    /// <summary>Whether panel <paramref name="k"/> shows another quantity than the first panel, and so gets a scale of its own.</summary>
    public bool HasOwnScale(int k) => surfaces[k].ValueLabel != surfaces[0].ValueLabel;

    /// <summary>The options of a panel on its own scale: the data's range, a colour bar in its cell.</summary>
    public HeatmapOptions HeatmapOptionsFor(SurfacePlotData surface) => new()
    {
        Title = surface.Title ?? surface.ValueLabel,
        XLabel = options.XLabel,
        YLabel = options.YLabel,
        Width = options.PanelWidth,
        Height = options.PanelHeight,
    };

    /// <summary>Draws every panel, the colour bar and the title; returns each panel's data area.</summary>
    public List<PixelArea> Draw(SKCanvas canvas)
    {
        var areas = new List<PixelArea>(surfaces.Count);
        for (int k = 0; k < surfaces.Count; k++)
        {
            float left = k % columns * options.PanelWidth, top = titleRoom + k / columns * options.PanelHeight;
            Plot plot = HasOwnScale(k)
                ? HeatmapPlotBuilder.Build(surfaces[k], HeatmapOptionsFor(surfaces[k]))
                : ContourPlotBuilder.Build(surfaces[k], OptionsFor(surfaces[k]), colorBar: false);
            canvas.Save();
            canvas.Translate(left, top);
            canvas.ClipRect(SKRect.Create(options.PanelWidth, options.PanelHeight));
            plot.Render(canvas, options.PanelWidth, options.PanelHeight);
            canvas.Restore();
            PixelRect rect = plot.LastRender.DataRect;
            areas.Add(new PixelArea(left + rect.Left, top + rect.Top, left + rect.Right, top + rect.Bottom));
        }

        var scale = new ColorScale(options.Min, options.Max, options.LogColor);
        string label = options.ValueLabel ?? surfaces[0].ValueLabel;
        CanvasColorBar.Draw(canvas, scale, label, columns * options.PanelWidth + 10,
            areas.Min(area => area.Top), areas.Max(area => area.Bottom));
        if (options.Title is not null)
            CanvasText.DrawCentered(canvas, options.Title, Width / 2f, TitleHeight / 2 + 4, 18, bold: true);
        return areas;
    }
}
