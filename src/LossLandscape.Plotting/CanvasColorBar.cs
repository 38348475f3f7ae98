using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>A vertical colour bar drawn on a Skia canvas: the scale's colours, ticks in value units, and a label.</summary>
internal static class CanvasColorBar
{
    /// <summary>Room the bar needs right of its left edge: the bar, tick labels and the turned label.</summary>
    public const float Width = 110;

    private const float BarWidth = 18;
    private const float FontSize = 12;

    /// <summary>Draws the bar with its left edge at <paramref name="left"/>, from <paramref name="top"/> to <paramref name="bottom"/>.</summary>
    public static void Draw(SKCanvas canvas, ColorScale scale, string label, float left, float top, float bottom)
    {
        const int strips = 256;
        float stripHeight = (bottom - top) / strips;
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        for (int k = 0; k < strips; k++)
        {
            fill.Color = scale.ColorAtFraction((k + 0.5) / strips);
            // A hair of overlap, so no white seams show between the strips.
            canvas.DrawRect(SKRect.Create(left, bottom - (k + 1) * stripHeight - 0.5f, BarWidth, stripHeight + 1), fill);
        }

        using var line = new SKPaint { Color = CanvasText.Ink, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = true };
        canvas.DrawRect(SKRect.Create(left, top, BarWidth, bottom - top), line);

        float widestLabel = 0;
        foreach ((double position, string text) in AxisTicks.Create(scale.AxisLow, scale.AxisHigh, scale.Log, targetCount: 8))
        {
            float y = bottom - (float)scale.Fraction(position) * (bottom - top);
            canvas.DrawLine(left + BarWidth, y, left + BarWidth + 5, y, line);
            SKSize size = CanvasText.Measure(text, FontSize);
            widestLabel = Math.Max(widestLabel, size.Width);
            CanvasText.DrawCentered(canvas, text, left + BarWidth + 8 + size.Width / 2, y, FontSize);
        }
        CanvasText.DrawCentered(canvas, label, left + BarWidth + 8 + widestLabel + 16, (top + bottom) / 2, 14, degrees: -90);
    }
}
