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
