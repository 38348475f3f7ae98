using ScottPlot;

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

    private static bool IsSvg(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => false,
            ".svg" => true,
            var other => throw new ArgumentException(
                $"Cannot write '{path}': the extension '{other}' is not supported; use .png or .svg.", nameof(path)),
        };
}
