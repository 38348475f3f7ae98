using SkiaSharp;

namespace LossLandscape.Plotting.Tests;

/// <summary>Reads back a written PNG to check what was drawn where.</summary>
internal sealed class PixelProbe : IDisposable
{
    private readonly SKBitmap bitmap;
    private readonly PixelArea area;

    public PixelProbe(RenderedPlot rendered)
    {
        bitmap = SKBitmap.Decode(rendered.Path) ?? throw new InvalidOperationException($"{rendered.Path} is not a decodable image.");
        area = rendered.DataArea;
        Assert.Equal(rendered.Width, bitmap.Width);
        Assert.Equal(rendered.Height, bitmap.Height);
    }

    /// <summary>The colour at a fraction of the data area, (0, 0) being its lower left corner.</summary>
    public SKColor AtFraction(double fromLeft, double fromBottom) =>
        bitmap.GetPixel((int)(area.Left + fromLeft * area.Width), (int)(area.Bottom - fromBottom * area.Height));

    /// <summary>How many pixels of the data area differ from the given background colour.</summary>
    public int CountDifferentFrom(SKColor background)
    {
        int count = 0;
        for (int y = (int)area.Top + 2; y < (int)area.Bottom - 2; y++)
            for (int x = (int)area.Left + 2; x < (int)area.Right - 2; x++)
                if (Distance(bitmap.GetPixel(x, y), background) > 30)
                    count++;
        return count;
    }

    /// <summary>The mean colour of a horizontal band of the data area, bands given as fractions from the bottom.</summary>
    public (double R, double G, double B) MeanColor(double fromBottom, double toBottom)
    {
        double r = 0, g = 0, b = 0;
        int n = 0;
        for (int y = (int)(area.Bottom - toBottom * area.Height) + 2; y < (int)(area.Bottom - fromBottom * area.Height) - 2; y++)
        {
            for (int x = (int)area.Left + 2; x < (int)area.Right - 2; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                r += c.Red; g += c.Green; b += c.Blue;
                n++;
            }
        }
        return (r / n, g / n, b / n);
    }

    public static double Distance(SKColor a, SKColor b) =>
        Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue);

    public void Dispose() => bitmap.Dispose();
}
