using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class HeatmapTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Png_is_not_blank_and_puts_larger_beta_at_the_top()
    {
        SurfacePlotData lowOnTop = Surfaces.Grid((x, y) => y > 0.5 ? 0.05 : 0.9);
        RenderedPlot rendered = LandscapePlotter.PlotHeatmap(lowOnTop, folder.File("heatmap.png"));

        using var probe = new PixelProbe(rendered);
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 0.9 * rendered.DataArea.Width * rendered.DataArea.Height);
        var top = probe.MeanColor(0.8, 1.0);
        var bottom = probe.MeanColor(0.0, 0.4);
        Assert.True(top.R + top.G + top.B < bottom.R + bottom.G + bottom.B - 150,
            $"upper band {top} should be the dark low-value colour, lower band {bottom} the bright high-value one");
    }

    [Fact]
    public void The_range_comes_from_the_data_unless_given()
    {
        // Values from 0 to 0.5: the largest is the top colour of the data's own range, but only
        // the middle of a range fixed at 0 … 1.
        SurfacePlotData ratio = Surfaces.Grid((x, y) => 0.25 * (x + 1));
        SKColor top = new ScottPlot.Colormaps.Viridis().GetColor(1).ToSKColor();

        using var own = new PixelProbe(LandscapePlotter.PlotHeatmap(ratio, folder.File("own.png")));
        using var fixedRange = new PixelProbe(LandscapePlotter.PlotHeatmap(ratio, folder.File("fixed.png"), new HeatmapOptions { Min = 0, Max = 1 }));

        Assert.True(PixelProbe.Distance(own.AtFraction(0.99, 0.5), top) < 20);
        Assert.True(PixelProbe.Distance(fixedRange.AtFraction(0.99, 0.5), top) > 100);
    }

    [Fact]
    public void Svg_labels_the_colour_bar_and_axes()
    {
        SurfacePlotData data = Surfaces.Bowl() with { ValueLabel = "|λmin/λmax|" };
        data.Values[4, 4] = double.NaN;
        data.Values[6, 6] = double.PositiveInfinity;
        RenderedPlot rendered = LandscapePlotter.PlotHeatmap(data, folder.File("heatmap.svg"), new HeatmapOptions { LogColor = true });

        string svg = File.ReadAllText(rendered.Path);
        string[] texts = SvgText.Of(svg);
        Assert.True(texts.Count(text => text == "|λmin/λmax|") >= 2, "the colour bar label (and the default title) are missing");
        Assert.Contains("α", texts);
        Assert.Contains("β", texts);
        Assert.Equal([LandscapePlotter.FontFamily], SvgText.FontFamilies(svg));
    }
}
