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
    public void Filled_cells_are_centred_on_the_grid_points()
    {
        // One low point at α = β = 1 on a grid with step 0.2: its cell spans 0.9 … 1.1, so inside
        // the axes only the quarter 0.9 … 1 shows, and α = β = 0.86 already belongs to the next cell.
        SurfacePlotData data = Surfaces.Grid((x, y) => x > 0.95 && y > 0.95 ? 0.1 : 10, count: 11);
        RenderedPlot rendered = LandscapePlotter.PlotContour(
            data, folder.File("extent.png"),
            new ContourPlotOptions { Style = ContourStyle.Filled, LevelStep = 5, LabelLevels = false });

        using var probe = new PixelProbe(rendered);
        int lowCell = Brightness(probe.AtFraction(0.985, 0.985));
        int neighbourCell = Brightness(probe.AtFraction(0.93, 0.93));
        int farAway = Brightness(probe.AtFraction(0.3, 0.3));
        Assert.True(lowCell < farAway - 150, $"the corner cell ({lowCell}) should be dark, far away ({farAway}) bright");
        Assert.True(Math.Abs(neighbourCell - farAway) < 30, $"the neighbouring cell ({neighbourCell}) should be as bright as far away ({farAway})");
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
        Assert.Equal(1, single - above);
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

    private static int CountPaths(RenderedPlot rendered) => Regex.Matches(File.ReadAllText(rendered.Path), "<path ").Count;

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
