using System.Globalization;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class GroupBarPlotTests : IDisposable
{
    private static readonly SKColor TraceBlue = SKColor.Parse("#1f77b4");
    private static readonly SKColor EigenvalueRed = SKColor.Parse("#d62728");

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Each_panel_has_one_bar_per_group_as_high_as_its_value_on_a_linear_or_log_axis()
    {
        var data = new GroupBarPlotData(
            ["conv1", "layer1", "layer2", "layer3", "linear"],
            Trace: [3, 5, 1.5, 4, 2],
            TraceError: [0.2, 0.3, 0.1, 0.2, 0.1],
            MaxEigenvalue: [0.02, 0.5, 3, 40, 1]);

        RenderedPanels rendered = LandscapePlotter.PlotGroupBars(data, folder.File("groups.png"));

        Assert.Equal(2, rendered.DataAreas.Count);
        Assert.True(rendered.DataAreas[0].Bottom < rendered.DataAreas[1].Top);
        Assert.Equal(rendered.DataAreas[0].Left, rendered.DataAreas[1].Left, 0.5);
        using var bitmap = SKBitmap.Decode(rendered.Path);
        var trace = Bars(bitmap, rendered.DataAreas[0], TraceBlue);
        var eigenvalues = Bars(bitmap, rendered.DataAreas[1], EigenvalueRed);
        Assert.Equal(5, trace.Count);
        Assert.Equal(5, eigenvalues.Count);
        // The trace spans a factor 3.3: linear from zero, so heights are proportional to the values.
        for (var i = 1; i < 5; i++) Assert.Equal(data.Trace[i] / data.Trace[0], trace[i].Height / trace[0].Height, 0.03);
        // λmax spans a factor 2000: log axis, so height differences are proportional to log ratios.
        Assert.Equal(Math.Log10(40 / 3.0) / Math.Log10(3 / 0.5), (eigenvalues[3].Height - eigenvalues[2].Height) / (eigenvalues[2].Height - eigenvalues[1].Height), 0.05);
        // Both panels put a group's bars at the same x.
        for (var i = 0; i < 5; i++) Assert.Equal(trace[i].Center, eigenvalues[i].Center, 1.0);
    }

    [Fact]
    public void A_negative_trace_share_hangs_below_zero()
    {
        RenderedPanels rendered = LandscapePlotter.PlotGroupBars(new GroupBarPlotData(["a", "b", "c"], [2, -1, 3]), folder.File("negative.png"));

        var area = Assert.Single(rendered.DataAreas);
        using var probe = new PixelProbe(new RenderedPlot(rendered.Path, rendered.Width, rendered.Height, area));
        // The axis runs from −1.24 to 3.24: zero lies at 28 % of the height, −1 at 5 %, 2 at 72 %.
        Assert.True(PixelProbe.Distance(probe.AtFraction(0.5, 0.15), TraceBlue) < 40, "no bar below zero for b");
        Assert.True(PixelProbe.Distance(probe.AtFraction(0.5, 0.5), TraceBlue) > 100, "b reaches above zero");
        Assert.True(PixelProbe.Distance(probe.AtFraction(1 / 6.0, 0.5), TraceBlue) < 40, "no bar up to 2 for a");
        Assert.True(PixelProbe.Distance(probe.AtFraction(1 / 6.0, 0.15), TraceBlue) > 100, "a reaches below zero");
    }

    [Fact]
    public void Many_long_names_are_turned_and_all_written_and_every_bar_is_drawn()
    {
        var names = Enumerable.Range(0, 3).SelectMany(layer => Enumerable.Range(0, 3).SelectMany(block => new[] { $"layer{layer + 1}.{block}.conv1", $"layer{layer + 1}.{block}.conv2" })).Prepend("conv1").Append("linear").ToArray();
        var values = names.Select((_, i) => 1.0 + i % 4).ToArray();
        var data = new GroupBarPlotData(names, values, MaxEigenvalue: values.Select(v => v / 2).ToArray());

        RenderedPanels png = LandscapePlotter.PlotGroupBars(data, folder.File("many.png"), new GroupBarPlotOptions { Title = "ResNet-20 by layer" });
        RenderedPanels svg = LandscapePlotter.PlotGroupBars(data, folder.File("many.svg"), new GroupBarPlotOptions { Title = "ResNet-20 by layer" });

        using var bitmap = SKBitmap.Decode(png.Path);
        Assert.Equal(20, Bars(bitmap, png.DataAreas[0], TraceBlue).Count);
        Assert.Equal(20, Bars(bitmap, png.DataAreas[1], EigenvalueRed).Count);
        string text = File.ReadAllText(svg.Path);
        Assert.Contains("ResNet-20 by layer", SvgText.Of(text));
        foreach (var name in names)
        {
            // Turned by 45° (the matrix of a −45° rotation), and only under the lowest panel.
            var placed = Regex.Matches(text, $@"<text transform=""matrix\(0\.707107 -0\.707107 0\.707107 0\.707107 [-\d.]+ ([-\d.]+)\)""[^>]*>\s*{Regex.Escape(name)}\s*</text>");
            Assert.NotEmpty(placed);
            Assert.All(placed, m => Assert.True(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > svg.DataAreas[1].Bottom, $"{name} is written above the lowest panel's axis"));
        }
    }

    [Fact]
    public void Data_that_cannot_make_bars_is_refused_before_anything_is_written()
    {
        var path = folder.File("bad.png");
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotGroupBars(new GroupBarPlotData(["a", "b"], [1]), path));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotGroupBars(new GroupBarPlotData(["a"], [double.NaN]), path));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotGroupBars(new GroupBarPlotData([], []), path));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotGroupBars(new GroupBarPlotData(["a"], [1], [-0.1]), path));
        var log = Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotGroupBars(new GroupBarPlotData(["a", "b"], [1, -2]), path, new GroupBarPlotOptions { LogScale = true }));
        Assert.Contains("'b'", log.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>The bars of one colour along a row just above the data area's bottom, left to right: centre x and height in pixels.</summary>
    private static List<(double Center, double Height)> Bars(SKBitmap bitmap, PixelArea area, SKColor color)
    {
        var row = (int)area.Bottom - 3;
        var bars = new List<(double, double)>();
        var x = (int)area.Left + 1;
        while (x < (int)area.Right)
        {
            if (PixelProbe.Distance(bitmap.GetPixel(x, row), color) > 40)
            {
                x++;
                continue;
            }
            var start = x;
            while (x < (int)area.Right && PixelProbe.Distance(bitmap.GetPixel(x, row), color) <= 40) x++;
            // A quarter in from the bar's left edge: its centre carries the error whisker, which is not bar.
            var probe = start + (x - start) / 4;
            var top = row;
            while (top > area.Top && PixelProbe.Distance(bitmap.GetPixel(probe, top - 1), color) <= 40) top--;
            bars.Add(((start + x - 1) / 2.0, area.Bottom - top));
        }
        return bars;
    }
}
