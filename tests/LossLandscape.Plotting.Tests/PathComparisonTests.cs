using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class PathComparisonTests : IDisposable
{
    private static readonly SKColor FirstPathColor = SKColor.Parse("#1f77b4");
    private static readonly SKColor SecondPathColor = SKColor.Parse("#d62728");
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly double[] T = [0, 0.25, 0.5, 0.75, 1];

    /// <summary>A barrier of height 2 at t = ½ and a flat path at 0.1: each is drawn in its colour at its height, in both panels.</summary>
    [Fact]
    public void EachPathIsDrawnInItsColourAtItsValuesInTheLossAndTheErrorPanel()
    {
        var data = new PathComparisonData(
        [
            new PathSeries("line", T, [0.1, 1, 2, 1, 0.1], [1, 20, 40, 20, 1], [0.1, 1, 2, 1, 0.1], [1, 20, 40, 20, 1]),
            new PathSeries("curve", T, [0.1, 0.1, 0.1, 0.1, 0.1], [1, 1, 1, 1, 1]),
        ]);
        var rendered = LandscapePlotter.PlotPathComparison(data, folder.File("paths.png"), new PathComparisonOptions { Title = "two paths" });

        Assert.Equal(2, rendered.DataAreas.Count);
        using var bitmap = SKBitmap.Decode(rendered.Path);
        foreach (var (area, peak) in rendered.DataAreas.Zip([2.0, 40.0]))
        {
            // The axis runs from 0 to 1.08 × the largest value, so the peak sits at 1/1.08 of the height.
            var column = (int)(area.Left + 0.5 * area.Width);
            var top = Enumerable.Range((int)area.Top, (int)area.Height).First(y => PixelProbe.Distance(bitmap.GetPixel(column, y), FirstPathColor) < 60);
            Assert.InRange((area.Bottom - top) / area.Height, 1 / 1.08 - 0.03, 1 / 1.08 + 0.02);
            var flat = Enumerable.Range((int)area.Top, (int)area.Height).Where(y => PixelProbe.Distance(bitmap.GetPixel(column, y), SecondPathColor) < 60).ToArray();
            Assert.NotEmpty(flat);
            var expected = (peak == 2 ? 0.1 : 1) / (1.08 * peak);
            Assert.InRange((area.Bottom - flat.Average()) / area.Height, expected - 0.03, expected + 0.03);
        }
    }

    [Fact]
    public void PathsWithoutDataOrWithMismatchedLengthsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(new PathComparisonData([]), folder.File("none.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(
            new PathComparisonData([new PathSeries("short", T, [1, 2, 3], [1, 2, 3, 4, 5])]), folder.File("short.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(
            new PathComparisonData([new PathSeries(" ", T, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])]), folder.File("unnamed.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(
            new PathComparisonData([new PathSeries("beyond", [0, 2], [1, 2], [1, 2])]), folder.File("beyond.png")));
        Assert.False(File.Exists(folder.File("short.png")));
    }
}

public sealed class AlphaOverlayTests : IDisposable
{
    private static readonly SKColor FirstCurveColor = SKColor.Parse("#1f77b4");
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Slices along α in [−1, 1]: the x axis spans the given limits, so the curve's minimum at α = 0 sits mid-panel.</summary>
    [Fact]
    public void CurvesAlongAlphaSpanTheGivenLimits()
    {
        double[] alpha = [-1, -0.5, 0, 0.5, 1];
        var data = new PathComparisonData([new PathSeries("epoch 3", alpha, [4, 1, 0, 1, 4], [80, 20, 0, 20, 80])]) { XLabel = "α", XMin = -1, XMax = 1 };
        var rendered = LandscapePlotter.PlotPathComparison(data, folder.File("overlay.png"));

        using var bitmap = SKBitmap.Decode(rendered.Path);
        var area = rendered.DataAreas[0];
        // The loss axis runs from 0 to 1.08 × 4: at α = ±1 (the panel's edges) the curve is at 1/1.08 of the height, at α = 0 on the floor.
        var lowest = Enumerable.Range((int)area.Left + 3, (int)area.Width - 6)
            .Select(x => (X: x, Y: Enumerable.Range((int)area.Top, (int)area.Height).Where(y => PixelProbe.Distance(bitmap.GetPixel(x, y), FirstCurveColor) < 60).DefaultIfEmpty(-1).Max()))
            .Where(p => p.Y >= 0)
            .MaxBy(p => p.Y);
        Assert.InRange((lowest.X - area.Left) / area.Width, 0.45, 0.55);
    }

    [Fact]
    public void PositionsOutsideTheLimitsOrEmptyLimitsAreRefused()
    {
        double[] alpha = [-1, 0, 1];
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(
            new PathComparisonData([new PathSeries("outside", alpha, [1, 0, 1], [1, 0, 1])]) { XMin = -0.5, XMax = 1 }, folder.File("outside.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotPathComparison(
            new PathComparisonData([new PathSeries("empty", alpha, [1, 0, 1], [1, 0, 1])]) { XMin = 1, XMax = 1 }, folder.File("empty.png")));
    }
}
