using System.Text.RegularExpressions;
using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class CurvePlotTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Png_of_a_parabola_is_not_blank()
    {
        RenderedPlot rendered = LandscapePlotter.PlotCurve(Surfaces.Parabola(withTest: false), folder.File("curve.png"));

        using var probe = new PixelProbe(rendered);
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 1000);
    }

    [Fact]
    public void Svg_holds_labels_and_legend_entries()
    {
        RenderedPlot rendered = LandscapePlotter.PlotCurve(
            Surfaces.Parabola(withTest: true), folder.File("curve.svg"), new CurvePlotOptions { Title = "a direction" });

        string[] texts = TextsOf(File.ReadAllText(rendered.Path));
        Assert.Contains("α", texts);
        Assert.Contains("accuracy (%)", texts);
        Assert.Contains("loss", texts);
        Assert.Contains("a direction", texts);
        Assert.Contains("train loss", texts);
        Assert.Contains("test loss", texts);
        Assert.Contains("train accuracy", texts);
        Assert.Contains("test accuracy", texts);
    }

    [Fact]
    public void Test_split_is_dashed_in_svg()
    {
        // Skia's SVG backend writes no stroke-dasharray: it expands a dashed stroke into one filled
        // outline with a sub-path per dash, so a dashed line shows up as a fill with many moves.
        string dashedSvg = File.ReadAllText(LandscapePlotter.PlotCurve(
            Surfaces.Parabola(withTest: true), folder.File("both.svg")).Path);
        string solidSvg = File.ReadAllText(LandscapePlotter.PlotCurve(
            Surfaces.Parabola(withTest: false), folder.File("train.svg")).Path);

        Assert.True(MaxDashCount(dashedSvg, "#1F77B4") >= 10, "the test loss is not dashed");
        Assert.True(MaxDashCount(dashedSvg, "#D62728") >= 10, "the test accuracy is not dashed");
        Assert.True(MaxDashCount(solidSvg, "#1F77B4") < 10, "the train loss alone should be solid");
    }

    [Fact]
    public void Log_scale_and_marks_render_and_label_in_value_units()
    {
        double[] x = Surfaces.Linspace(-0.5, 1.5, 41);
        double[] loss = x.Select(a => 0.01 + 5 * Math.Pow(Math.Sin(Math.PI * a), 2)).ToArray();
        RenderedPlot rendered = LandscapePlotter.PlotCurve(
            new CurvePlotData(x, loss), folder.File("log.svg"),
            new CurvePlotOptions { LogLoss = true, MarkX = [0, 1], XLabel = "interpolation coefficient" });

        string[] texts = TextsOf(File.ReadAllText(rendered.Path));
        Assert.Contains("interpolation coefficient", texts);
        Assert.Contains("0.1", texts);
        Assert.Contains("1", texts);
    }

    [Fact]
    public void NaN_and_infinite_points_leave_gaps_without_failing()
    {
        CurvePlotData data = Surfaces.Parabola(withTest: true);
        data.TrainLoss[5] = double.NaN;
        data.TrainLoss[20] = double.PositiveInfinity;
        data.TestLoss![30] = double.NaN;
        data.TrainAccuracy![0] = double.NaN;
        for (int k = 35; k < data.X.Length; k++)
            data.TestAccuracy![k] = double.NaN;

        RenderedPlot rendered = LandscapePlotter.PlotCurve(data, folder.File("gaps.png"), new CurvePlotOptions { LogLoss = true });

        using var probe = new PixelProbe(rendered);
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 1000);
    }

    [Fact]
    public void A_series_with_no_finite_point_still_renders()
    {
        double[] x = [0, 1, 2];
        RenderedPlot rendered = LandscapePlotter.PlotCurve(
            new CurvePlotData(x, [double.NaN, double.NaN, double.NaN]), folder.File("empty.png"));

        Assert.True(new FileInfo(rendered.Path).Length > 0);
    }

    [Fact]
    public void A_spread_shades_its_band_and_leaves_the_rest_white()
    {
        // A flat mean at 1 with a band from 0.5 to 1.5 on a 0–2 axis: the band covers 25–75 % of the height.
        double[] x = Surfaces.Linspace(-1, 1, 21);
        double[] Flat(double value) => x.Select(_ => value).ToArray();
        var data = new CurvePlotData(x, Flat(1))
        {
            TrainLossSpread = new CurveSpread(Flat(0.5), Flat(1.5), [Flat(0.6), Flat(1.4)], "±1 sd"),
        };
        var options = new CurvePlotOptions { LossMin = 0, LossMax = 2 };

        using var banded = new PixelProbe(LandscapePlotter.PlotCurve(data, folder.File("band.png"), options));
        using var plain = new PixelProbe(LandscapePlotter.PlotCurve(data with { TrainLossSpread = null }, folder.File("plain.png"), options));

        // Inside the band (loss 0.74 and 1.26), away from the mean, the draws and the grid lines: tinted with the loss blue.
        foreach (var height in new[] { 0.37, 0.63 })
        {
            SKColor inside = banded.AtFraction(0.33, height);
            Assert.True(PixelProbe.Distance(inside, SKColors.White) > 30 && inside.Blue > inside.Red + 20, $"{inside} at {height}");
            Assert.True(PixelProbe.Distance(plain.AtFraction(0.33, height), SKColors.White) < 5, "without a spread the same spot is white");
        }
        // Above and below the band (loss 1.74 and 0.26): white.
        Assert.True(PixelProbe.Distance(banded.AtFraction(0.33, 0.87), SKColors.White) < 5);
        Assert.True(PixelProbe.Distance(banded.AtFraction(0.33, 0.13), SKColors.White) < 5);
    }

    [Fact]
    public void On_a_log_axis_a_band_whose_lower_edge_is_not_positive_reaches_down_to_the_lowest_draw()
    {
        // Mean 1 ± 2: the lower edge −1 has no logarithm; the draws are 0.25 and 1.75. The axis spans 0.1–10.
        double[] x = Surfaces.Linspace(-1, 1, 21);
        double[] Flat(double value) => x.Select(_ => value).ToArray();
        var data = new CurvePlotData(x, Flat(1)) { TrainLossSpread = new CurveSpread(Flat(-1), Flat(3), [Flat(0.25), Flat(1.75)], "±1 sd") };

        using var probe = new PixelProbe(LandscapePlotter.PlotCurve(data, folder.File("log-band.png"), new CurvePlotOptions { LogLoss = true, LossMin = 0.1, LossMax = 10 }));

        // Loss 0.4 (between the lowest draw and the mean) is shaded; 0.16, below the lowest draw, is not.
        SKColor shaded = probe.AtFraction(0.33, (Math.Log10(0.4) + 1) / 2);
        Assert.True(PixelProbe.Distance(shaded, SKColors.White) > 30 && shaded.Blue > shaded.Red + 20, shaded.ToString());
        Assert.True(PixelProbe.Distance(probe.AtFraction(0.33, (Math.Log10(0.16) + 1) / 2), SKColors.White) < 5);
    }

    [Fact]
    public void A_spread_names_its_band_and_its_draws_in_the_legend()
    {
        double[] x = [0, 1, 2];
        var data = new CurvePlotData(x, [1, 2, 3], TestLoss: [2, 3, 4])
        {
            TrainLossSpread = new CurveSpread([0, 1, 2], [2, 3, 4], [[1, 1, 1], [1, 3, 5]], "min–max"),
            TestLossSpread = new CurveSpread([1, 2, 3], [3, 4, 5], [[2, 2, 2], [2, 4, 6]], "min–max"),
        };

        string[] texts = TextsOf(File.ReadAllText(LandscapePlotter.PlotCurve(data, folder.File("legend.svg")).Path));

        Assert.Contains("mean train loss", texts);
        Assert.Contains("mean test loss", texts);
        Assert.Contains("train min–max", texts);
        Assert.Contains("2 test draws", texts);
    }

    [Fact]
    public void A_spread_whose_lengths_differ_from_X_or_without_its_curve_is_refused_before_drawing()
    {
        double[] x = [0, 1, 2];
        var shortDraw = new CurvePlotData(x, [1, 2, 3]) { TrainLossSpread = new CurveSpread([0, 1, 2], [2, 3, 4], [[1, 1]], "±1 sd") };
        var noTestCurve = new CurvePlotData(x, [1, 2, 3]) { TestLossSpread = new CurveSpread([0, 1, 2], [2, 3, 4], [], "±1 sd") };

        Assert.Contains("TrainLossSpread.Draws[0]", Assert.ThrowsAny<ArgumentException>(() => LandscapePlotter.PlotCurve(shortDraw, folder.File("short.png"))).Message);
        Assert.Contains("needs TestLoss", Assert.ThrowsAny<ArgumentException>(() => LandscapePlotter.PlotCurve(noTestCurve, folder.File("alone.png"))).Message);
        Assert.False(File.Exists(folder.File("short.png")));
    }

    private static string[] TextsOf(string svg) =>
        Regex.Matches(svg, @"<text[^>]*>\s*([^<]*?)\s*</text>").Select(m => m.Groups[1].Value).ToArray();

    private static int MaxDashCount(string svg, string color) =>
        Regex.Matches(svg, $"<path fill=\"{color}\" d=\"([^\"]*)\"")
            .Select(m => m.Groups[1].Value.Count(c => c == 'M'))
            .DefaultIfEmpty(0)
            .Max();
}
