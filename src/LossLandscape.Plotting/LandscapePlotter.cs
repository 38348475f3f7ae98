using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Draws loss landscapes the way Li et al. (2018), "Visualizing the Loss Landscape of Neural Nets",
/// shows them: 1D curves of loss and accuracy, and 2D contour plots.
/// </summary>
/// <remarks>
/// <para>
/// Axis convention: α runs along x and β along y. A 2D surface is <c>double[,] values</c> indexed
/// <c>[y, x]</c>: <c>values[i, j]</c> lies at α = <c>X[j]</c>, β = <c>Y[i]</c>, with X and Y ascending,
/// so β increases upward in the image.
/// </para>
/// <para>
/// NaN (not computed yet) and +∞ or huge values (diverged) inside the data never fail a plot: they
/// are left blank or clipped. Malformed input (mismatched lengths, fewer than 2 points, coordinates
/// not ascending, bad levels) throws <see cref="ArgumentException"/> before anything is written.
/// </para>
/// <para>
/// The file format follows the extension, <c>.png</c> or <c>.svg</c>. The folder is created when
/// missing, and the image is written to a temporary file first, so a failure never leaves a partial file.
/// All text uses the DejaVu Sans font shipped in this assembly.
/// </para>
/// </remarks>
public static class LandscapePlotter
{
    /// <summary>The font family every plot is written with (shipped inside this assembly).</summary>
    public static string FontFamily => EmbeddedFonts.FamilyName;

    /// <summary>
    /// Draws the 1D figure: loss on the left axis and accuracy (%) on the right, train solid and test
    /// dashed, with a legend below the axes.
    /// </summary>
    /// <param name="data">The curves, all sampled at <see cref="CurvePlotData.X"/>.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">Labels, scale and size; the defaults when null.</param>
    /// <returns>The written file and where its data area lies.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static RenderedPlot PlotCurve(CurvePlotData data, string path, CurvePlotOptions? options = null)
    {
        options ??= new CurvePlotOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        Plot plot = CurvePlotBuilder.Build(data, options);
        return ImageFileWriter.Write(plot, path, options.Width, options.Height);
    }

    /// <summary>
    /// Draws the 2D figure: contour lines at <see cref="ContourPlotOptions.Min"/>,
    /// Min + <see cref="ContourPlotOptions.LevelStep"/>, … ≤ <see cref="ContourPlotOptions.Max"/> over
    /// α (x) and β (y), the origin marked; with <see cref="ContourStyle.Filled"/>, over a colour map
    /// clipped to [Min, Max] with a colour bar. An optional path is drawn on top as a line with dots.
    /// </summary>
    /// <param name="data">The surface, indexed <c>[y, x]</c>.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">Levels, style, labels and size; the paper's defaults when null.</param>
    /// <returns>The written file and where its data area lies.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static RenderedPlot PlotContour(SurfacePlotData data, string path, ContourPlotOptions? options = null)
    {
        options ??= new ContourPlotOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        Plot plot = ContourPlotBuilder.Build(data, options);
        return ImageFileWriter.Write(plot, path, options.Width, options.Height);
    }
}
