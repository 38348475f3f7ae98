using System.Globalization;
using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

public sealed class Surface3DTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Png_has_the_requested_size_and_is_not_blank()
    {
        RenderedPlot rendered = LandscapePlotter.PlotSurface3D(
            Surfaces.Bowl(), folder.File("bowl3d.png"), new Surface3DOptions { Width = 700, Height = 500 });

        using var probe = new PixelProbe(rendered);
        Assert.Equal((700, 500), (rendered.Width, rendered.Height));
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 20000, "the box area is nearly blank");
    }

    [Theory]
    [InlineData(-60, 30)]
    [InlineData(135, 60)]
    [InlineData(30, 20)]
    public void No_alpha_or_beta_tick_label_sits_in_the_column_of_value_labels(double azimuth, double elevation)
    {
        var options = new Surface3DOptions { Azimuth = azimuth, Elevation = elevation };
        var figure = new Surface3DFigure(Surfaces.Bowl(), options);
        using (var bitmap = new SKBitmap(options.Width, options.Height))
        using (var canvas = new SKCanvas(bitmap))
            figure.Draw(canvas);

        var values = figure.TickLabels.Where(t => t.Axis == 'z').ToList();
        var floor = figure.TickLabels.Where(t => t.Axis != 'z').ToList();
        Assert.True(values.Count >= 3, $"{values.Count} value labels");
        Assert.Contains(floor, t => t.Axis == 'x' && t.Text == "-1");
        // Each value label is centred on its tick: extrapolated from the lowest and highest, the axis's
        // foot (ZMin) is where the column ends, and a label just below it would read as a value.
        var (low, high) = (values.MinBy(t => double.Parse(t.Text, CultureInfo.InvariantCulture)), values.MaxBy(t => double.Parse(t.Text, CultureInfo.InvariantCulture)));
        double lowValue = double.Parse(low.Text, CultureInfo.InvariantCulture), highValue = double.Parse(high.Text, CultureInfo.InvariantCulture);
        double foot = low.Box.MidY + (lowValue - options.ZMin) * (low.Box.MidY - high.Box.MidY) / (highValue - lowValue);
        var column = new SKRect(values.Min(t => t.Box.Left), values.Min(t => t.Box.Top), values.Max(t => t.Box.Right), (float)foot + 12);
        foreach (var (axis, text, box) in floor)
            Assert.False(box.IntersectsWith(column), $"{axis} label {text} at {box} lies in the value labels' column {column}");
    }

    [Fact]
    public void The_bottom_of_a_bowl_is_drawn_nearer_the_middle_than_its_rim()
    {
        RenderedPlot rendered = LandscapePlotter.PlotSurface3D(Surfaces.Bowl(count: 41), folder.File("bowl3d.png"));

        using SKBitmap bitmap = SKBitmap.Decode(rendered.Path);
        var viridis = new ScottPlot.Colormaps.Viridis();
        SKColor lowest = viridis.GetColor(0.02).ToSKColor(), highest = viridis.GetColor(0.78).ToSKColor();
        float middle = (rendered.DataArea.Left + rendered.DataArea.Right) / 2;
        var lowOffsets = new List<float>();
        var highOffsets = new List<float>();
        // Only inside the box: the colour bar holds every colour too.
        for (int y = (int)rendered.DataArea.Top; y < (int)rendered.DataArea.Bottom; y++)
        {
            for (int x = (int)rendered.DataArea.Left; x < (int)rendered.DataArea.Right; x++)
            {
                SKColor pixel = bitmap.GetPixel(x, y);
                if (PixelProbe.Distance(pixel, lowest) < 40) lowOffsets.Add(Math.Abs(x - middle));
                if (PixelProbe.Distance(pixel, highest) < 40) highOffsets.Add(Math.Abs(x - middle));
            }
        }

        Assert.True(lowOffsets.Count > 20 && highOffsets.Count > 20, $"{lowOffsets.Count} low and {highOffsets.Count} high pixels");
        Assert.True(lowOffsets.Average() < highOffsets.Average() / 2,
            $"low colour {lowOffsets.Average():F0} px and high colour {highOffsets.Average():F0} px from the middle");
    }

    [Fact]
    public void NaN_and_infinite_values_do_not_stop_the_drawing()
    {
        SurfacePlotData data = Surfaces.Bowl();
        data.Values[3, 3] = double.NaN;
        data.Values[10, 15] = double.PositiveInfinity;
        data.Values[5, 17] = double.NegativeInfinity;
        for (int j = 0; j < 21; j++)
            data.Values[20, j] = double.NaN;

        RenderedPlot rendered = LandscapePlotter.PlotSurface3D(
            data, folder.File("broken3d.png"), new Surface3DOptions { LogZ = true, Azimuth = 135, Elevation = 60 });

        using var probe = new PixelProbe(rendered);
        Assert.True(probe.CountDifferentFrom(SKColors.White) > 20000);
    }

    [Fact]
    public void Svg_holds_the_title_axis_labels_and_only_the_shipped_font()
    {
        SurfacePlotData data = Surfaces.Bowl() with { Title = "ResNet-56", ValueLabel = "train loss" };
        RenderedPlot rendered = LandscapePlotter.PlotSurface3D(data, folder.File("bowl3d.svg"));

        string svg = File.ReadAllText(rendered.Path);
        string[] texts = SvgText.Of(svg);
        Assert.Contains("ResNet-56", texts);
        Assert.Contains("α", texts);
        Assert.Contains("β", texts);
        Assert.Contains("train loss", texts);
        Assert.Contains("10", texts);
        Assert.Equal([LandscapePlotter.FontFamily], SvgText.FontFamilies(svg));
    }
}
