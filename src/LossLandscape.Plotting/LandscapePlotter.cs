using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Draws loss landscapes the way Li et al. (2018), "Visualizing the Loss Landscape of Neural Nets",
/// shows them: 1D curves of loss and accuracy, 2D contour plots, and 3D surfaces as an interactive
/// HTML page or a ParaView (.vtp) mesh.
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

    /// <summary>
    /// Writes the surface as a self-contained interactive HTML page: a 3D surface over α (x) and β (y) that
    /// can be rotated and zoomed in any browser, offline, since plotly.js is inlined (about 3.6 MB).
    /// Values are clipped to [<see cref="SurfaceHtmlOptions.ZMin"/>, <see cref="SurfaceHtmlOptions.ZMax"/>];
    /// points not computed (NaN) are left as holes.
    /// </summary>
    /// <param name="data">The surface, indexed <c>[y, x]</c>.</param>
    /// <param name="path">Where to write the page; <c>.html</c> or <c>.htm</c>.</param>
    /// <param name="options">z range, log scale, labels and size; the paper's defaults when null.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static string WriteSurfaceHtml(SurfacePlotData data, string path, SurfaceHtmlOptions? options = null)
    {
        options ??= new SurfaceHtmlOptions();
        PlotInputValidator.Validate(data, options);
        AtomicFileWriter.RequireExtension(path, "HTML", ".html", ".htm");
        string html = SurfaceHtmlBuilder.Build(data, options);
        return AtomicFileWriter.WriteAllBytes(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(html));
    }

    /// <summary>
    /// Writes the surface as a ParaView mesh (VTK XML PolyData, ASCII), as the paper's <c>h52vtp.py</c> does,
    /// for the rendered 3D figures of the paper: one point (α, β, value) per grid point, one quad per cell.
    /// Points not computed (NaN) are left out with the quads around them.
    /// </summary>
    /// <param name="data">The surface, indexed <c>[y, x]</c>.</param>
    /// <param name="path">Where to write the mesh; <c>.vtp</c>.</param>
    /// <param name="options">Clipping, log and interpolation; none of them when null.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a mesh, or the extension is not <c>.vtp</c>.</exception>
    public static string WriteVtp(SurfacePlotData data, string path, VtpOptions? options = null)
    {
        options ??= new VtpOptions();
        PlotInputValidator.Validate(data, options);
        AtomicFileWriter.RequireExtension(path, "VTP", ".vtp");
        return AtomicFileWriter.WriteAllBytes(path, VtpWriter.Build(data, options));
    }
}
