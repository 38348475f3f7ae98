using ScottPlot;

namespace LossLandscape.Plotting;

/// <summary>
/// Draws loss landscapes the way Li et al. (2018), "Visualizing the Loss Landscape of Neural Nets",
/// shows them: 1D curves of loss and accuracy, 2D contour plots (alone or side by side), 3D surfaces
/// (PNG/SVG, an interactive HTML page, or a ParaView .vtp mesh), and scalar heatmaps over the same α–β grid.
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
        FigureLayout layout = DataAreaLayout.ForContour(data, options, colorBar: true).Layout;
        return ImageFileWriter.Write(plot, path, layout.Width, layout.Height);
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

    /// <summary>
    /// Draws the paper's 3D figure: the surface over α and β seen from a fixed camera, values clipped
    /// to [<see cref="Surface3DOptions.ZMin"/>, <see cref="Surface3DOptions.ZMax"/>] and coloured by
    /// height (viridis) with a colour bar; cells with a NaN corner are left out.
    /// </summary>
    /// <param name="data">The surface, indexed <c>[y, x]</c>.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">View, value range and size; the paper's range and matplotlib's view when null.</param>
    /// <returns>The written file; its data area is the rectangle around the drawn box.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static RenderedPlot PlotSurface3D(SurfacePlotData data, string path, Surface3DOptions? options = null)
    {
        options ??= new Surface3DOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        var figure = new Surface3DFigure(data, options);
        PixelArea boxArea = default;
        string written = ImageFileWriter.Write(canvas => boxArea = figure.Draw(canvas), path, options.Width, options.Height);
        return new RenderedPlot(written, options.Width, options.Height, boxArea);
    }

    /// <summary>
    /// Draws several 2D landscapes side by side in a grid of filled contour plots, as the paper compares
    /// networks, with one colour scale from <see cref="PanelOptions.Min"/> to <see cref="PanelOptions.Max"/>
    /// and one colour bar for all, each panel titled by its surface's <see cref="SurfacePlotData.Title"/>
    /// (its value label when untitled).
    /// </summary>
    /// <param name="surfaces">The surfaces in reading order, left to right and then top to bottom.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">Columns, scale, labels and panel size; the paper's scale, up to 3 columns, when null.</param>
    /// <returns>The written file and each panel's data area.</returns>
    /// <exception cref="ArgumentException">A surface or the options cannot make a plot (the message names the panel), or the extension is not supported.</exception>
    public static RenderedPanels PlotPanels(IReadOnlyList<SurfacePlotData> surfaces, string path, PanelOptions? options = null)
    {
        options ??= new PanelOptions();
        PlotInputValidator.Validate(surfaces, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        var figure = new PanelFigure(surfaces, options);
        return WritePanels(path, figure.Width, figure.Height, figure.Draw);
    }

    /// <summary>
    /// Draws a scalar map over α (x) and β (y), such as the Hessian's |λmin/λmax|: each value a colour
    /// cell centred on its grid point (β increasing upward), a colour bar labelled with the surface's
    /// value label, and the origin marked. NaN cells are left blank; values beyond the range are clipped.
    /// </summary>
    /// <param name="data">The map, indexed <c>[y, x]</c>, on evenly spaced coordinates.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">Range, scale, labels and size; the data's own range when null.</param>
    /// <returns>The written file and where its data area lies.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static RenderedPlot PlotHeatmap(SurfacePlotData data, string path, HeatmapOptions? options = null)
    {
        options ??= new HeatmapOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        Plot plot = HeatmapPlotBuilder.Build(data, options);
        FigureLayout layout = DataAreaLayout.Compute(data, options.Width, options.Height, colorBar: true, options.EqualAspect);
        return ImageFileWriter.Write(plot, path, layout.Width, layout.Height);
    }
    /// <summary>
    /// Draws the Hessian's curvature per parameter group as bars: each group's share of the trace
    /// (with standard-error whiskers) in one panel and, when given, λmax of each group's diagonal block
    /// in a panel below it, the groups named under the lowest panel (turned when they do not fit).
    /// A panel goes to a log axis when its values are all positive and span a factor 100 or more
    /// (<see cref="GroupBarPlotOptions.LogScale"/> overrides this).
    /// </summary>
    /// <param name="data">One name and one value per group in every series.</param>
    /// <param name="path">Where to write the image; <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="options">Title, scale and size; an automatic scale and 800×600 when null.</param>
    /// <returns>The written file and each panel's data area, the trace panel first.</returns>
    /// <exception cref="ArgumentException">The data or options cannot make a plot, or the extension is not supported.</exception>
    public static RenderedPanels PlotGroupBars(GroupBarPlotData data, string path, GroupBarPlotOptions? options = null)
    {
        options ??= new GroupBarPlotOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        var figure = new GroupBarFigure(data, options);
        return WritePanels(path, figure.Width, figure.Height, figure.Draw);
    }

    /// <summary>Paths between two models over each other: loss and error along t, train solid, test dashed (PNG or SVG).</summary>
    public static RenderedPanels PlotPathComparison(PathComparisonData data, string path, PathComparisonOptions? options = null)
    {
        options ??= new PathComparisonOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        var figure = new PathComparisonFigure(data, options);
        return WritePanels(path, figure.Width, figure.Height, figure.Draw);
    }

    /// <summary>Quantities measured along a training run (λmax, sharpness) against the step or epoch, one panel each.</summary>
    /// <exception cref="ArgumentException">No series, a series with fewer than one point, mismatched lengths or non-finite positions.</exception>
    public static RenderedPanels PlotMeasureSeries(MeasureSeriesData data, string path, MeasureSeriesOptions? options = null)
    {
        options ??= new MeasureSeriesOptions();
        PlotInputValidator.Validate(data, options);
        ImageFileWriter.ValidatePath(path);
        EmbeddedFonts.EnsureRegistered();
        var figure = new MeasureSeriesFigure(data, options);
        return WritePanels(path, figure.Width, figure.Height, figure.Draw);
    }

    /// <summary>Writes a figure drawn straight on the canvas and returns where its panels' data areas landed.</summary>
    private static RenderedPanels WritePanels(string path, int width, int height, Func<SkiaSharp.SKCanvas, List<PixelArea>> draw)
    {
        List<PixelArea> areas = [];
        string written = ImageFileWriter.Write(canvas => areas = draw(canvas), path, width, height);
        return new RenderedPanels(written, width, height, areas);
    }
}
