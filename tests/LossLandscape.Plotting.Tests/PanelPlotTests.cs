using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class PanelPlotTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Corners above Max (clipped), a sharp-ish bowl, and a panel flat at exactly Max.</summary>
    private static SurfacePlotData[] ThreeSurfaces() =>
    [
        Surfaces.Grid((x, y) => 12 * (x * x + y * y)) with { Title = "steep" },
        Surfaces.Bowl() with { Title = "bowl" },
        Surfaces.Grid((x, y) => 10) with { Title = "flat at max" },
    ];

    [Fact]
    public void Three_panels_in_three_columns_are_each_drawn_side_by_side()
    {
        RenderedPanels rendered = LandscapePlotter.PlotPanels(ThreeSurfaces(), folder.File("panels.png"), new PanelOptions { Columns = 3 });

        Assert.Equal(3, rendered.DataAreas.Count);
        Assert.True(rendered.DataAreas[0].Right < rendered.DataAreas[1].Left && rendered.DataAreas[1].Right < rendered.DataAreas[2].Left);
        Assert.Equal(rendered.DataAreas[0].Top, rendered.DataAreas[2].Top, 0.5);
        foreach (PixelArea area in rendered.DataAreas)
        {
            using var probe = new PixelProbe(new RenderedPlot(rendered.Path, rendered.Width, rendered.Height, area));
            Assert.True(probe.CountDifferentFrom(SKColors.White) > 0.9 * area.Width * area.Height, $"the panel at {area} is partly blank");
        }
    }

    [Fact]
    public void All_panels_share_one_colour_scale()
    {
        RenderedPanels rendered = LandscapePlotter.PlotPanels(ThreeSurfaces(), folder.File("shared.png"));

        using var steep = Probe(rendered, 0);
        using var bowl = Probe(rendered, 1);
        using var flat = Probe(rendered, 2);
        SKColor steepCorner = steep.AtFraction(0.02, 0.98);
        SKColor flatAtMax = flat.AtFraction(0.3, 0.7);
        SKColor bowlCorner = bowl.AtFraction(0.02, 0.98);
        Assert.True(PixelProbe.Distance(steepCorner, flatAtMax) < 12, $"clipped corner {steepCorner} and flat Max panel {flatAtMax} differ");
        // The bowl reaches only 8 in its corners: on the shared scale that is not the top colour.
        Assert.True(PixelProbe.Distance(bowlCorner, flatAtMax) > 60, $"bowl corner {bowlCorner} looks like Max {flatAtMax}");
    }

    [Fact]
    public void Svg_holds_every_panel_title_and_one_colour_bar_label()
    {
        RenderedPanels rendered = LandscapePlotter.PlotPanels(
            ThreeSurfaces(), folder.File("panels.svg"), new PanelOptions { Title = "three nets", ValueLabel = "test loss" });

        string svg = File.ReadAllText(rendered.Path);
        string[] texts = SvgText.Of(svg);
        Assert.Contains("steep", texts);
        Assert.Contains("bowl", texts);
        Assert.Contains("flat at max", texts);
        Assert.Contains("three nets", texts);
        Assert.Single(texts, text => text == "test loss");
        Assert.Equal([LandscapePlotter.FontFamily], SvgText.FontFamilies(svg));
    }

    [Fact]
    public void Five_panels_wrap_into_two_rows_of_three()
    {
        SurfacePlotData[] five = [.. ThreeSurfaces(), Surfaces.Bowl(), Surfaces.Bowl()];
        RenderedPanels rendered = LandscapePlotter.PlotPanels(five, folder.File("five.png"), new PanelOptions { LogColor = true });

        Assert.Equal(rendered.DataAreas[0].Left, rendered.DataAreas[3].Left, 0.5);
        Assert.True(rendered.DataAreas[3].Top > rendered.DataAreas[0].Bottom);
        Assert.Equal(3 * 420 + 120, rendered.Width);
        Assert.Equal(2 * 400, rendered.Height);
    }

    private static PixelProbe Probe(RenderedPanels rendered, int panel) =>
        new(new RenderedPlot(rendered.Path, rendered.Width, rendered.Height, rendered.DataAreas[panel]));
}
