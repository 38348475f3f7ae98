using ScottPlot;
using SkiaSharp;

namespace LossLandscape.Plotting;

/// <summary>
/// Writes a plot to a PNG or SVG file, chosen by the extension, without ever leaving a half-written
/// image behind (see <see cref="AtomicFileWriter"/>).
/// </summary>
internal static class ImageFileWriter
{
    /// <summary>Throws before any rendering work when the path cannot be written as an image.</summary>
    public static void ValidatePath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("The image path is empty.", nameof(path));
        _ = IsSvg(path);
    }

    public static RenderedPlot Write(Plot plot, string path, int width, int height)
    {
        string fullPath = Path.GetFullPath(path);
        byte[] content = IsSvg(fullPath)
            ? System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height))
            : plot.GetImageBytes(width, height, ImageFormat.Png);
        PixelRect dataRect = plot.LastRender.DataRect;
        AtomicFileWriter.WriteAllBytes(fullPath, content);
        return new RenderedPlot(fullPath, width, height,
            new PixelArea(dataRect.Left, dataRect.Top, dataRect.Right, dataRect.Bottom));
    }

    /// <summary>
    /// Writes a figure drawn straight on a Skia canvas (on a white background) and returns the full path.
    /// </summary>
    public static string Write(Action<SKCanvas> draw, string path, int width, int height)
    {
        string fullPath = Path.GetFullPath(path);
        byte[] content = IsSvg(fullPath) ? DrawSvg(draw, width, height) : DrawPng(draw, width, height);
        AtomicFileWriter.WriteAllBytes(fullPath, content);
        return fullPath;
    }

    private static byte[] DrawSvg(Action<SKCanvas> draw, int width, int height)
    {
        using var stream = new MemoryStream();
        // The SVG is only complete once the canvas is disposed.
        using (SKCanvas canvas = SKSvgCanvas.Create(SKRect.Create(width, height), stream))
        {
            PaintBackground(canvas, width, height);
            draw(canvas);
        }
        return stream.ToArray();
    }

    private static byte[] DrawPng(Action<SKCanvas> draw, int width, int height)
    {
        using SKSurface surface = SKSurface.Create(new SKImageInfo(width, height))
            ?? throw new InvalidOperationException($"Skia cannot allocate a {width}×{height} image.");
        PaintBackground(surface.Canvas, width, height);
        draw(surface.Canvas);
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static void PaintBackground(SKCanvas canvas, int width, int height)
    {
        using var white = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill };
        canvas.DrawRect(SKRect.Create(width, height), white);
    }

    private static bool IsSvg(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => false,
            ".svg" => true,
            var other => throw new ArgumentException(
                $"Cannot write '{path}': the extension '{other}' is not supported; use .png or .svg.", nameof(path)),
        };
}
