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

    [Fact]
    public void A_panel_of_another_quantity_gets_its_own_colour_scale_and_bar()
    {
        // Two loss planes and a ratio map whose values (0 … 0.2) lie below the shared loss scale's bottom.
        SurfacePlotData[] panels =
        [
            Surfaces.Bowl() with { Title = "random plane", ValueLabel = "train loss" },
            Surfaces.Grid((x, y) => 2 + 3 * (x * x - y * y)) with { Title = "Hessian plane", ValueLabel = "train loss" },
            Surfaces.Grid((x, y) => 0.1 + 0.1 * x) with { Title = "ratio map", ValueLabel = "|λmin/λmax|" },
        ];
        RenderedPanels svg = LandscapePlotter.PlotPanels(panels, folder.File("mixed.svg"));
        RenderedPanels png = LandscapePlotter.PlotPanels(panels, folder.File("mixed.png"));

        string[] texts = SvgText.Of(File.ReadAllText(svg.Path));
        Assert.Equal(["random plane", "Hessian plane", "ratio map"], texts.Where(t => t is "random plane" or "Hessian plane" or "ratio map").Distinct());
        // One shared bar for the two loss planes; the ratio map's own bar is labelled with its quantity.
        Assert.Single(texts, text => text == "train loss");
        Assert.Contains("|λmin/λmax|", texts);
        Assert.Equal(3, png.DataAreas.Count);
        // On the shared 0.1 … 10 scale the whole map would be its bottom colour; on its own its two edges differ.
        using var ratio = Probe(png, 2);
        SKColor left = ratio.AtFraction(0.02, 0.5), right = ratio.AtFraction(0.98, 0.5);
        Assert.True(PixelProbe.Distance(left, right) > 60, $"the ratio map's edges {left} and {right} look alike");
    }

    private static PixelProbe Probe(RenderedPanels rendered, int panel) =>
        new(new RenderedPlot(rendered.Path, rendered.Width, rendered.Height, rendered.DataAreas[panel]));
}
