namespace LossLandscape.Plotting;

/// <summary>What was written for a grid of panels: the file and where each panel's data area lies.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="DataAreas">The pixels inside each panel's axes, in the order the surfaces were given.</param>
public sealed record RenderedPanels(string Path, int Width, int Height, IReadOnlyList<PixelArea> DataAreas);
