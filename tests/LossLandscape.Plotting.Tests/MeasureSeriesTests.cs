using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class MeasureSeriesTests : IDisposable
{
    private static readonly SKColor FirstColor = SKColor.Parse("#1f77b4");
    private static readonly SKColor SecondColor = SKColor.Parse("#d62728");
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>
    /// λmax rising linearly over steps 0..1000 and a flat sharpness: one panel each, the rising line's
    /// right end higher than its left end by the ratio of the values, the flat one level.
    /// </summary>
    [Fact]
    public void EachQuantityGetsItsPanelWithItsValuesAtTheirSteps()
    {
        double[] steps = [0, 250, 500, 750, 1000];
        var data = new MeasureSeriesData("step", [new MeasureSeries("λmax", steps, [1, 2, 3, 4, 5]), new MeasureSeries("sharpness", steps, [2, 2, 2, 2, 2])]);
        var rendered = LandscapePlotter.PlotMeasureSeries(data, folder.File("measures.png"), new MeasureSeriesOptions { Title = "along training" });

        Assert.Equal(2, rendered.DataAreas.Count);
        Assert.True(rendered.DataAreas[0].Right <= rendered.DataAreas[1].Left);
        using var bitmap = SKBitmap.Decode(rendered.Path);
        double Height(PixelArea area, SKColor color, double fraction)
        {
            var column = (int)(area.Left + fraction * area.Width);
            var rows = Enumerable.Range((int)area.Top, (int)area.Height).Where(y => PixelProbe.Distance(bitmap.GetPixel(column, y), color) < 60).ToArray();
            Assert.NotEmpty(rows);
            return (area.Bottom - rows.Average()) / area.Height;
        }
        // The x axis is padded by 3 % of the range on each side; the y axis runs from 0 to the top value plus 8 % of the span.
        // At step 125 the line is at 1.5, at step 875 at 4.5: three times as high above the zero floor.
        static double At(double step) => (30 + step) / 1060;
        var left = Height(rendered.DataAreas[0], FirstColor, At(125));
        var right = Height(rendered.DataAreas[0], FirstColor, At(875));
        Assert.InRange(right / left, 2.85, 3.15);
        var flatLeft = Height(rendered.DataAreas[1], SecondColor, 0.2);
        var flatRight = Height(rendered.DataAreas[1], SecondColor, 0.8);
        Assert.InRange(Math.Abs(flatLeft - flatRight), 0, 0.02);
    }

    [Fact]
    public void MissingOrMismatchedMeasurementsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotMeasureSeries(new MeasureSeriesData("step", []), folder.File("none.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotMeasureSeries(
            new MeasureSeriesData("step", [new MeasureSeries("λmax", [0, 1], [1])]), folder.File("short.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotMeasureSeries(
            new MeasureSeriesData("step", [new MeasureSeries("λmax", [0, double.NaN], [1, 2])]), folder.File("nan.png")));
        Assert.Throws<ArgumentException>(() => LandscapePlotter.PlotMeasureSeries(
            new MeasureSeriesData("step", [new MeasureSeries("λmax", [0, 1], [1, 2])]) { Marks = [double.PositiveInfinity] }, folder.File("mark.png")));
        Assert.False(File.Exists(folder.File("short.png")));
    }
}
