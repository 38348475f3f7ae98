using System.Text.RegularExpressions;
using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class ContourPlotTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Lines_png_draws_contours_in_the_data_area()
    {
        RenderedPlot rendered = LandscapePlotter.PlotContour(Surfaces.Bowl(), folder.File("bowl.png"));

        using var probe = new PixelProbe(rendered);
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 2000, "the data area is nearly blank");
    }

    [Fact]
    public void Filled_png_shows_the_minimum_in_a_different_colour_from_the_corners()
    {
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            Surfaces.Bowl(), folder.File("bowl-filled.png"), new ContourPlotOptions { Style = ContourStyle.Filled });

        using var probe = new PixelProbe(rendered);
        // Just off the centre, so the origin marker is not what is sampled.
        SKColor nearMinimum = probe.AtFraction(0.53, 0.53);
        SKColor nearCorner = probe.AtFraction(0.02, 0.98);
        Assert.True(PixelProbe.Distance(nearMinimum, nearCorner) > 100, $"centre {nearMinimum} and corner {nearCorner} look alike");
        // Viridis runs from dark purple (low) to yellow (high).
        Assert.True(Brightness(nearMinimum) < Brightness(nearCorner));
    }

    [Fact]
    public void Filled_png_puts_larger_beta_at_the_top()
    {
        // Low only where β > 0.5: that band must show up in the upper part of the image.
        SurfacePlotData lowOnTop = Surfaces.Grid((x, y) => y > 0.5 ? 0.2 : 9);
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            lowOnTop, folder.File("orientation.png"), new ContourPlotOptions { Style = ContourStyle.Filled, LabelLevels = false });

        using var probe = new PixelProbe(rendered);
        var top = probe.MeanColor(0.8, 1.0);
        var bottom = probe.MeanColor(0.0, 0.4);
        Assert.True(top.R + top.G + top.B < bottom.R + bottom.G + bottom.B - 150,
            $"upper band {top} should be the dark low-value colour, lower band {bottom} the bright high-value one");
    }

    [Fact]
    public void Filled_map_is_interpolated_between_the_grid_points_not_drawn_as_cells()
    {
        // One low point at α = β = 1 on a grid with step 0.2: as cells, α = β = 0.86 would be as
        // bright as far away; interpolated, the colour darkens steadily towards that corner.
        SurfacePlotData data = Surfaces.Grid((x, y) => x > 0.95 && y > 0.95 ? 0.1 : 10, count: 11);
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            data, folder.File("extent.png"),
            new ContourPlotOptions { Style = ContourStyle.Filled, LevelStep = 5, LabelLevels = false });

        using var probe = new PixelProbe(rendered);
        int corner = Brightness(probe.AtFraction(0.99, 0.99));
        int between = Brightness(probe.AtFraction(0.93, 0.93));
        int farAway = Brightness(probe.AtFraction(0.3, 0.3));
        Assert.True(corner < between - 30 && between < farAway - 30, $"corner {corner}, between {between}, far away {farAway}: should brighten steadily");
    }

    [Fact]
    public void Filled_map_has_no_staircase_edges()
    {
        // One level, 0.1, a small ring at the origin: the row sampled holds nothing but the colour map.
        SurfacePlotData data = Surfaces.Bowl(count: 11);
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            data, folder.File("smooth.png"),
            new ContourPlotOptions { Style = ContourStyle.Filled, LevelStep = 100, LabelLevels = false });

        using SKBitmap bitmap = SKBitmap.Decode(rendered.Path);
        int row = (int)(rendered.DataArea.Top + 0.3 * (rendered.DataArea.Bottom - rendered.DataArea.Top));
        double largestStep = Enumerable.Range((int)rendered.DataArea.Left + 3, (int)(rendered.DataArea.Right - rendered.DataArea.Left) - 6)
            .Max(x => PixelProbe.Distance(bitmap.GetPixel(x, row), bitmap.GetPixel(x + 1, row)));

        // As 11 cells the colour jumps by ~40 at each cell edge; interpolated it changes by a few per pixel.
        Assert.True(largestStep < 12, $"neighbouring pixels differ by up to {largestStep:F1}");
    }

    [Fact]
    public void Level_labels_lie_wholly_inside_the_data_area()
    {
        // Horizontal lines from β = −1 to 1: the lowest and highest run along the edges, where a
        // label centred on its line would be cut in half.
        SurfacePlotData data = Surfaces.Grid((x, y) => 5 + 4.9 * y);
        foreach (var style in new[] { ContourStyle.Lines, ContourStyle.Filled })
        {
            var options = new ContourPlotOptions { Style = style, LevelStep = 0.25 };
            ScottPlot.Plot plot = ContourPlotBuilder.Build(data, options);
            plot.RenderInMemory(options.Width, options.Height);
            ScottPlot.PixelRect area = plot.RenderManager.LastRender.DataRect;
            var labels = plot.GetPlottables<ScottPlot.Plottables.Text>().ToList();

            Assert.True(labels.Count >= 6, $"{labels.Count} labels");
            foreach (var label in labels)
            {
                ScottPlot.Pixel centre = plot.GetPixel(label.Location);
                SKSize size = CanvasText.Measure(label.LabelText, label.LabelFontSize);
                // The builder pads each label by 1 pixel.
                float halfWidth = size.Width / 2 + 1, halfHeight = label.LabelFontSize / 2 + 1;
                Assert.True(centre.X - halfWidth >= area.Left && centre.X + halfWidth <= area.Right && centre.Y - halfHeight >= area.Top && centre.Y + halfHeight <= area.Bottom,
                    $"{style}: label {label.LabelText} at ({centre.X:F0}, {centre.Y:F0}) reaches beyond the data area {area}");
            }
        }
    }

    [Fact]
    public void Lines_plot_has_a_colour_bar_of_the_line_colours()
    {
        RenderedPlot rendered = LandscapePlotter.PlotContour(Surfaces.Bowl(), folder.File("bar.png"));

        using SKBitmap bitmap = SKBitmap.Decode(rendered.Path);
        // The lowest level's colour (viridis 0) near the foot of the bar, right of the data area.
        SKColor lowest = new ScottPlot.Colormaps.Viridis().GetColor(0).ToSKColor();
        int nearFoot = (int)rendered.DataArea.Bottom - 3;
        Assert.Contains(Enumerable.Range((int)rendered.DataArea.Right + 1, rendered.Width - (int)rendered.DataArea.Right - 1),
            x => PixelProbe.Distance(bitmap.GetPixel(x, nearFoot), lowest) < 30);
        Assert.True(rendered.Width - rendered.DataArea.Right >= 100, "no room was left for the colour bar");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_flat_planes_path_legend_goes_below_the_axes_not_over_the_path(bool equal)
    {
        // PC1 spans 10, PC2 1.2: at equal units the area is about 8 times wider than high.
        double[] x = Surfaces.Linspace(-2, 8, 11), y = Surfaces.Linspace(-0.6, 0.6, 11);
        SurfacePlotData data = new(x, y, new double[11, 11]) { Path = new PathOverlay([7, 3, 0], [0.3, 0.2, 0], "training path") };
        var options = new ContourPlotOptions { EqualAspect = equal };

        ScottPlot.Plot plot = ContourPlotBuilder.Build(data, options);
        RenderedPlot rendered = LandscapePlotter.PlotContour(data, folder.File("legend.png"), options);

        // The legend inside the data area is hidden when it is drawn as a panel below.
        Assert.Equal(!equal, plot.Legend.IsVisible);
        // Below the axes: the tick labels, the axis label and a row for the legend.
        Assert.Equal(equal ? 95 : 65, rendered.Height - rendered.DataArea.Bottom, 1.0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Equal_aspect_gives_both_axes_the_same_pixels_per_unit_and_can_be_turned_off(bool equal)
    {
        // A PCA-like plane: PC1 spans 10, PC2 1.2.
        double[] x = Surfaces.Linspace(-2, 8, 11), y = Surfaces.Linspace(-0.6, 0.6, 11);
        SurfacePlotData data = new(x, y, new double[11, 11]);

        RenderedPlot rendered = LandscapePlotter.PlotContour(data, folder.File("aspect.png"), new ContourPlotOptions { EqualAspect = equal });

        double pixelsPerUnitX = (rendered.DataArea.Right - rendered.DataArea.Left) / 10.0;
        double pixelsPerUnitY = (rendered.DataArea.Bottom - rendered.DataArea.Top) / 1.2;
        if (equal)
        {
            Assert.Equal(1, pixelsPerUnitX / pixelsPerUnitY, 0.02);
            // Trimmed to the figure: the margins above and below the axes, no blank band.
            Assert.Equal(800, rendered.Width);
            Assert.Equal(rendered.DataArea.Bottom - rendered.DataArea.Top + 50 + 65, rendered.Height, 1.0);
        }
        else
        {
            Assert.True(pixelsPerUnitY / pixelsPerUnitX > 4, $"{pixelsPerUnitX:F1} px per unit on x, {pixelsPerUnitY:F1} on y");
            Assert.Equal((800, 600), (rendered.Width, rendered.Height));
        }
    }

    [Fact]
    public void Svg_holds_axis_labels_level_labels_and_the_shipped_font()
    {
        RenderedPlot rendered = LandscapePlotter.PlotContour(Surfaces.Bowl(), folder.File("bowl.svg"));

        string svg = File.ReadAllText(rendered.Path);
        Assert.Contains(">\n\t\t\tα\n", svg.Replace("\r", ""));
        Assert.Contains(">\n\t\t\tβ\n", svg.Replace("\r", ""));
        Assert.Matches(@">\s*0\.1\s*</text>", svg);
        var families = Regex.Matches(svg, "font-family=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal([LandscapePlotter.FontFamily], families);
    }

    [Fact]
    public void Svg_has_a_contour_path_per_level_that_crosses_the_data_and_none_above_it()
    {
        var noLabels = new ContourPlotOptions { LabelLevels = false };
        // The bowl reaches 8 in the corners: levels 0.1 … 7.6 cross it, 9 … 10 lie above it.
        int crossing = CountPaths(LandscapePlotter.PlotContour(Surfaces.Bowl(), folder.File("crossing.svg"), noLabels));
        int above = CountPaths(LandscapePlotter.PlotContour(
            Surfaces.Bowl(), folder.File("above.svg"), noLabels with { Min = 9, Max = 10 }));
        int single = CountPaths(LandscapePlotter.PlotContour(
            Surfaces.Bowl(), folder.File("single.svg"), noLabels with { Min = 2, Max = 2.4 }));

        Assert.True(crossing - above >= 16, $"{crossing} paths with 16 crossing levels, {above} with none");
        Assert.Equal(0, above);
        Assert.Equal(1, single);
    }

    [Fact]
    public void Path_overlay_is_drawn_with_its_legend()
    {
        SurfacePlotData data = Surfaces.Bowl() with
        {
            Path = new PathOverlay([0.8, 0.4, 0.1, 0.0], [0.7, 0.3, 0.1, 0.0], "SGD trajectory"),
        };
        RenderedPlot rendered = LandscapePlotter.PlotContour(data, folder.File("path.svg"));

        Assert.Contains("SGD trajectory", File.ReadAllText(rendered.Path));
    }

    [Fact]
    public void A_curve_overlay_names_its_ends_and_its_off_path_bend_in_the_legend()
    {
        SurfacePlotData data = Surfaces.Bowl() with
        {
            Path = new PathOverlay([-0.8, 0.0, 0.8], [0.0, 0.3, 0.0], "Bezier curve") { StartLabel = "θ_A", EndLabel = "θ_B", Marks = [new PathMark(0.0, 0.6, "bend")] },
        };
        string svg = File.ReadAllText(LandscapePlotter.PlotContour(data, folder.File("curve.svg")).Path);

        foreach (string label in new[] { "Bezier curve", "θ_A", "θ_B", "bend" }) Assert.Contains(label, svg);
        Assert.DoesNotContain(">start<", svg);
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotContour(
            data with { Path = data.Path with { Marks = [new PathMark(double.NaN, 0, "bend")] } }, folder.File("nan-mark.svg")));
    }

    [Fact]
    public void NaN_and_infinite_values_are_left_out_and_the_rest_is_drawn()
    {
        SurfacePlotData data = Surfaces.Bowl();
        data.Values[3, 3] = double.NaN;
        data.Values[10, 15] = double.PositiveInfinity;
        data.Values[18, 2] = 1e300;
        data.Values[5, 17] = double.NegativeInfinity;
        for (int j = 0; j < 21; j++)
            data.Values[20, j] = double.NaN;

        foreach (ContourStyle style in new[] { ContourStyle.Lines, ContourStyle.Filled })
        {
            RenderedPlot rendered = LandscapePlotter.PlotContour(
                data, folder.File($"broken-{style}.png"), new ContourPlotOptions { Style = style, LogColor = style == ContourStyle.Filled });
            using var probe = new PixelProbe(rendered);
            Assert.True(probe.CountDifferentFrom(SKColors.White) > 2000);
        }
    }

    [Fact]
    public void Log_levels_are_spaced_by_a_constant_ratio_from_min_to_max()
    {
        double[] levels = ContourLevels.Compute(0.1, 10, 0.5, logarithmic: true);

        Assert.Equal(20, levels.Length);
        Assert.Equal(0.1, levels[0], 12);
        Assert.Equal(10, levels[^1], 12);
        double ratio = levels[1] / levels[0];
        for (int k = 1; k < levels.Length; k++)
            Assert.Equal(ratio, levels[k] / levels[k - 1], 9);
    }

    [Fact]
    public void Log_levels_are_drawn_and_labelled_at_their_values()
    {
        // 16 levels from 0.1 to 8, a factor 80^(1/15) apart: every second one is labelled, 0.1, 0.179, …
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            Surfaces.Bowl(count: 41), folder.File("log-levels.svg"), new ContourPlotOptions { Min = 0.1, Max = 8, LogLevels = true });

        string svg = File.ReadAllText(rendered.Path);
        Assert.Matches(@">\s*0\.179\s*</text>", svg);
        Assert.DoesNotMatch(@">\s*0\.6\s*</text>", svg);
    }

    /// <summary>Paths drawn 1.5 wide: the contour lines, not the axes, grid or colour-bar ticks, whose count depends on the range.</summary>
    private static int CountPaths(RenderedPlot rendered) => Regex.Matches(File.ReadAllText(rendered.Path), "<path [^>]*stroke-width=\"1.5\"").Count;

    private static int Brightness(SKColor color) => color.Red + color.Green + color.Blue;
}

public sealed class LegendCornerTests
{
    private static readonly SurfacePlotData Plane = new([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], new double[3, 3]);

    [Fact]
    public void TheLegendGoesWhereThePathIsNot()
    {
        // A path from the upper right to the centre of the lower left: the lower right is empty.
        var path = new PathOverlay([0.9, 0.5, -0.2, -0.5], [0.9, 0.4, 0.3, -0.5], "training path");
        Assert.Equal(ScottPlot.Alignment.LowerRight, ContourPlotBuilder.LegendCorner(path, Plane));
    }

    [Fact]
    public void TheStartWeighsMoreThanPassingPoints()
    {
        // Only the start sits in the upper right, two passing points in the upper left, the end in the
        // lower left and three points in the lower right: covering two passing points beats covering the start.
        var path = new PathOverlay([0.9, -0.5, -0.6, 0.3, 0.4, 0.5, -0.5], [0.9, 0.5, 0.6, -0.3, -0.4, -0.5, -0.5], "training path");
        Assert.Equal(ScottPlot.Alignment.UpperLeft, ContourPlotBuilder.LegendCorner(path, Plane));
    }

    [Fact]
    public void OnATieTheLegendStaysUpperRight()
    {
        // Both right-hand quarters are empty.
        var path = new PathOverlay([-0.5, -0.5], [0.5, -0.5], "training path");
        Assert.Equal(ScottPlot.Alignment.UpperRight, ContourPlotBuilder.LegendCorner(path, Plane));
    }
}
