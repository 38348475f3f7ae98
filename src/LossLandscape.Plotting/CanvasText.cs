using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>Text in the shipped font for figures drawn straight on a Skia canvas.</summary>
internal static class CanvasText
{
    public static readonly SKColor Ink = new(0x22, 0x22, 0x22);

    /// <summary>Draws <paramref name="text"/> with its centre at (x, y), optionally turned by <paramref name="degrees"/>.</summary>
    public static void DrawCentered(SKCanvas canvas, string text, float x, float y, float size, bool bold = false, float degrees = 0)
    {
        using var font = new SKFont(EmbeddedFonts.Typeface(bold), size);
        using var paint = new SKPaint { Color = Ink, IsAntialias = true };
        font.MeasureText(text, out SKRect bounds, paint);
        canvas.Save();
        canvas.Translate(x, y);
        canvas.RotateDegrees(degrees);
        // Centre on the ink's vertical middle, not the baseline, so digits and letters sit level with their tick.
        canvas.DrawText(text, 0, -bounds.MidY, SKTextAlign.Center, font, paint);
        canvas.Restore();
    }

    /// <summary>The width and height of the text's ink box.</summary>
    public static SKSize Measure(string text, float size, bool bold = false)
    {
        using var font = new SKFont(EmbeddedFonts.Typeface(bold), size);
        font.MeasureText(text, out SKRect bounds);
        return new SKSize(bounds.Width, bounds.Height);
    }
}
