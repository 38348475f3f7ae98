namespace LossLandscape.Plotting;

/// <summary>What was written: the file and where in it the data area was drawn.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="DataArea">The pixels inside the axes, where the data is drawn.</param>
public sealed record RenderedPlot(string Path, int Width, int Height, PixelArea DataArea);
