using System.Management.Automation;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;
using LossLandscape.Plotting;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Draws a <see cref="LossSurface"/>: a 1D curve (loss, and accuracy on a second axis) or a 2D
/// surface as contour lines, a filled map, a heatmap or a 3D view (PNG or SVG by extension); a path
/// ending in .html writes an interactive offline 3D page, .vtp a ParaView mesh. With -Layout Grid,
/// all piped surfaces are drawn side by side on one colour scale. A Hessian spectrum computed with
/// -GroupBy is drawn as bars per group instead: trace, and λmax with -GroupSpectrum.
/// </summary>
[Cmdlet(VerbsData.Export, "LandscapePlot", SupportsShouldProcess = true, DefaultParameterSetName = SurfaceSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLandscapePlotCommand : LandscapeCmdlet
{
    private const string SurfaceSet = "Surface";
    private const string SpectrumSet = "Spectrum";
    private const string ConnectivitySet = "Connectivity";
    private const string SharpnessSet = "Sharpness";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SurfaceSet)]
    [Rehydrate(typeof(LossSurface))]
    public LossSurface Surface { get; set; } = null!;

    /// <summary>A spectrum from Get-HessianSpectrum -GroupBy: drawn as bars per group (the input's type chooses the figure, so no switch is needed).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SpectrumSet)]
    public HessianSpectrum Spectrum { get; set; } = null!;

    /// <summary>
    /// Paths from Measure-ModeConnectivity (a line, an aligned line, a curve): every piped path goes into
    /// one figure, loss and error along t, one colour per path.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ConnectivitySet)]
    public ModeConnectivity Connectivity { get; set; } = null!;

    /// <summary>
    /// Measurements from Get-LandscapeSharpness of several checkpoints of one run: every piped object
    /// goes into one figure against the checkpoints' step or epoch, a panel each for λmax (when measured
    /// with -MaxEigenvalue), the worst-case and the average-case sharpness.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SharpnessSet)]
    public LandscapeSharpness Sharpness { get; set; } = null!;

    /// <summary>
    /// The legend's name of each curve, in pipeline order: with -Connectivity each path (default "A → B"
    /// from the checkpoints' names); with -Layout Overlay each 1D surface (default its checkpoint).
    /// </summary>
    [Parameter(ParameterSetName = ConnectivitySet)]
    [Parameter(ParameterSetName = SurfaceSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Label { get; set; }

    /// <summary>Image file (.png or .svg), or a folder to write a file named after the surface into (default: the current folder); that name keeps only A-Z, a-z, 0-9, '.', '_' and '-' of the architecture.</summary>
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    /// <summary>2D only: contour lines (default), a filled map, a heatmap, or a 3D surface.</summary>
    [Parameter]
    public PlotStyle Style { get; set; } = PlotStyle.Lines;

    /// <summary>Single (a file per surface), Grid (all piped 2D surfaces in one image) or Overlay (all piped 1D surfaces on one axis).</summary>
    [Parameter]
    public PlotLayout Layout { get; set; } = PlotLayout.Single;

    /// <summary>-Layout Grid: panels per row (default: up to 3).</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int? Columns { get; set; }

    /// <summary>2D only: which split's loss to draw when the surface has both.</summary>
    [Parameter]
    [ValidateSet("Train", "Test")]
    public string Split { get; set; } = "Train";

    /// <summary>2D only: which values to draw (a name from the surface's ValueNames, e.g. eig_ratio); by default the -Split loss, or |λmin/λmax| for a curvature map.</summary>
    [Parameter]
    [ValidateSet("train_loss", "train_acc", "test_loss", "test_acc", "max_eig", "min_eig", "eig_ratio")]
    public string? Value { get; set; }

    /// <summary>1D curves of several direction draws (Get-LossSurface -DirectionCount): the band around the mean, ±1 standard deviation (default) or the draws' minimum to maximum.</summary>
    [Parameter]
    public PlotBand Band { get; set; } = PlotBand.StandardDeviation;

    [Parameter]
    public double Min { get; set; } = 0.1;

    [Parameter]
    public double Max { get; set; } = 10;

    [Parameter]
    public double LevelStep { get; set; } = 0.5;

    /// <summary>Loss on a log scale: the 1D loss axis, contour levels and colours, the 3D/HTML height, log(z + 0.1) in VTP.</summary>
    [Parameter]
    [Alias("LogColor", "LogLoss")]
    public SwitchParameter LogScale { get; set; }

    /// <summary>.vtp only: split each cell k×k by bilinear interpolation (the paper code's finer grid).</summary>
    [Parameter]
    [ValidateRange(1, 16)]
    public int Interpolate { get; set; } = 1;

    [Parameter]
    public string? Title { get; set; }

    [Parameter]
    [ValidateRange(200, 10_000)]
    public int Width { get; set; } = 800;

    [Parameter]
    [ValidateRange(200, 10_000)]
    public int Height { get; set; } = 600;

    /// <summary>
    /// 2D only: draw this trajectory (from Get-TrajectoryPCA) over the contours, start and end marked.
    /// $null is refused at binding: a variable that was never set would otherwise give a plot
    /// without the path the user asked for, and no word about it.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public TrajectoryPca? Trajectory { get; set; }

    /// <summary>
    /// 2D maps (lines, filled, heatmap): one unit is as long on the α axis as on the β axis, so a
    /// path and the contours keep their true shape. On by default for a PCA plane whose two ranges are
    /// within a factor 5 (a flatter one would be a strip; -EqualAspect forces it, -EqualAspect:$false never);
    /// otherwise the default keeps equal units only for ranges within a factor 2 of each other.
    /// </summary>
    [Parameter]
    public SwitchParameter EqualAspect { get; set; }

    /// <summary>With -Trajectory: epochs (steps of a step-based run) drawn in red, e.g. where the learning rate dropped. With -Sharpness: steps or epochs marked by a dashed line in every panel.</summary>
    [Parameter]
    public int[] HighlightEpoch { get; set; } = [];

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<LossSurface> collected = [];
    private readonly List<ModeConnectivity> paths = [];
    private readonly List<LandscapeSharpness> measurements = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ConnectivitySet)
        {
            paths.Add(Connectivity);
            return;
        }
        if (ParameterSetName == SharpnessSet)
        {
            measurements.Add(Sharpness);
            return;
        }
        if (ParameterSetName == SpectrumSet)
        {
            Write(SpectrumFile(Spectrum), file => DrawGroups(Spectrum, file), Spectrum);
            return;
        }
        if (Layout is PlotLayout.Grid or PlotLayout.Overlay)
        {
            collected.Add(Surface);
            return;
        }
        Write(TargetFile(Surface), file => Draw(Surface, file), Surface);
    }

    protected override void EndProcessing()
    {
        if (paths.Count > 0)
        {
            Write(PathsFile(paths[0]), DrawPaths, paths[0]);
            return;
        }
        if (measurements.Count > 0)
        {
            Write(NamedFile(measurements[0].Checkpoint.Architecture, "sharpness"), DrawMeasurements, measurements[0]);
            return;
        }
        if (collected.Count == 0) return;
        if (Layout == PlotLayout.Overlay)
        {
            Write(NamedFile(collected[0].Architecture, "1d-overlay"), DrawOverlay, collected[0]);
            return;
        }
        if (Layout != PlotLayout.Grid) return;
        Write(TargetFile(collected[0], panels: collected.Count), file => LandscapePlotter.PlotPanels(
            collected.Select(s => SurfaceData(s) with { Title = PanelTitle(s) }).ToArray(),
            file,
            new PanelOptions { Columns = Columns, Min = Min, Max = Max, LevelStep = LevelStep, LogColor = LogScale, Title = Title, ValueLabel = $"{Split.ToLowerInvariant()} loss" }).Path, collected);
    }

    /// <summary>
    /// The checkpoint, as the paper compares networks; when the panels differ in plane or quantity (a
    /// random plane, a Hessian plane and a |λmin/λmax| map of one checkpoint) that difference instead.
    /// </summary>
    private string PanelTitle(LossSurface surface)
    {
        var mixed = collected.Select(s => (PlaneKind(s), ValueKey(s))).Distinct().Count() > 1;
        return mixed
            ? $"{PlaneName(surface)}: {ValueLabel(ValueKey(surface))}"
            : $"{surface.Architecture}{(surface.CheckpointEpoch is { } e ? $", epoch {e}" : "")}";
    }

    private static string PlaneName(LossSurface surface)
    {
        var directions = surface.Result.Metadata.Directions;
        var eigenvalues = directions.Select(d => d.Recipe.Eigenvalue).OfType<double>().ToArray();
        return PlaneKind(surface) switch
        {
            DirectionKind.Random => "random plane",
            DirectionKind.Eigenvector when eigenvalues.Length == directions.Count =>
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Hessian plane (λ {string.Join(", ", eigenvalues.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))})"),
            DirectionKind.Eigenvector => "Hessian plane",
            DirectionKind.Pca => "PCA plane",
            DirectionKind.CurvePlane => "curve plane",
            { } other => $"{other} plane",
            null => "plane",
        };
    }

    private void Write(string file, Func<string, string> draw, object target)
    {
        if (!MayWrite(file, Force) || !ShouldProcess(file, "Write landscape plot")) return;
        try
        {
            var written = draw(file);
            WriteVerbose($"Plot written to {written}.");
            if (PassThru) WriteObject(new FileInfo(written));
        }
        catch (ArgumentException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.PlotFailed, ErrorCategory.InvalidArgument, target));
        }
        catch (IOException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.PlotFailed, ErrorCategory.WriteError, file));
        }
    }

    private string Draw(LossSurface surface, string file)
    {
        var extension = System.IO.Path.GetExtension(file).ToLowerInvariant();
        if (surface.Dimensions == 1)
        {
            if (extension is ".html" or ".htm" or ".vtp") throw new ArgumentException($"A 1D curve is drawn as PNG or SVG, not {extension}.");
            return PlotCurve(surface, file).Path;
        }
        var data = SurfaceData(surface);
        var title = Title ?? DefaultTitle(surface);
        var (xLabel, yLabel) = AxisLabels(surface);
        var equalAspect = AspectChoice(surface);
        if (surface.Result.Members is { } members && extension is ".png" or ".svg")
        {
            if (Trajectory is not null) throw new ArgumentException("A plane of several direction draws has no single plane for a trajectory: each draw has its own directions.");
            return LandscapePlotter.PlotPanels(
                [data with { Title = $"mean of {members.Count} draws" }, SpreadData(surface, members) with { Title = "standard deviation" }],
                file,
                new PanelOptions { Columns = 2, Min = Min, Max = Max, LevelStep = LevelStep, LogColor = LogScale, Title = title, XLabel = xLabel, YLabel = yLabel }).Path;
        }
        switch (extension)
        {
            case ".html" or ".htm":
                return LandscapePlotter.WriteSurfaceHtml(data, file, new SurfaceHtmlOptions { ZMin = Min, ZMax = Max, LogZ = LogScale, Title = title, Width = Width, Height = Height, XLabel = xLabel, YLabel = yLabel });
            case ".vtp":
                return LandscapePlotter.WriteVtp(data, file, new VtpOptions { ZMax = Bound(nameof(Max)), Log = LogScale, Interpolate = Interpolate });
        }
        return Style switch
        {
            PlotStyle.Heatmap => LandscapePlotter.PlotHeatmap(data, file, new HeatmapOptions
            {
                Min = Bound(nameof(Min)), Max = Bound(nameof(Max)), LogColor = LogScale, Title = title, Width = Width, Height = Height,
                XLabel = xLabel, YLabel = yLabel, EqualAspect = equalAspect,
            }).Path,
            PlotStyle.Surface3D => LandscapePlotter.PlotSurface3D(data, file, new Surface3DOptions
            {
                ZMin = Min, ZMax = Max, LogZ = LogScale, Title = title, Width = Width, Height = Height, XLabel = xLabel, YLabel = yLabel,
            }).Path,
            _ => LandscapePlotter.PlotContour(data with { Path = TrajectoryOverlay(surface) ?? CurveOverlay(surface) }, file, new ContourPlotOptions
            {
                Style = Style == PlotStyle.Filled ? ContourStyle.Filled : ContourStyle.Lines,
                Min = Min,
                Max = Max,
                LevelStep = LevelStep,
                LogColor = LogScale && Style == PlotStyle.Filled,
                LogLevels = LogScale,
                Title = title,
                XLabel = xLabel,
                YLabel = yLabel,
                EqualAspect = equalAspect,
                Width = Width,
                Height = Height,
            }).Path,
        };
    }

    private string DrawGroups(HessianSpectrum spectrum, string file)
    {
        var groups = spectrum.Groups
            ?? throw new ArgumentException("The spectrum has no groups to draw: compute it with Get-HessianSpectrum -GroupBy Layer or Block (and -GroupSpectrum for each group's λmax).");
        // A bar left out would read as zero curvature, so λmax is drawn only when every group has one.
        var maxEigenvalues = groups.All(g => g.MaxEigenvalue is not null) ? groups.Select(g => g.MaxEigenvalue!.Value).ToArray() : null;
        var epoch = spectrum.Checkpoint.Epoch is { } e ? $", epoch {e}" : "";
        return LandscapePlotter.PlotGroupBars(
            new GroupBarPlotData(groups.Select(g => g.Group).ToArray(), groups.Select(g => g.Trace).ToArray(), groups.Select(g => g.TraceStandardError).ToArray(), maxEigenvalues),
            file,
            new GroupBarPlotOptions
            {
                Title = Title ?? $"{spectrum.Checkpoint.Architecture}{epoch}: Hessian per group",
                LogScale = MyInvocation.BoundParameters.ContainsKey(nameof(LogScale)) ? LogScale.IsPresent : null,
                Width = Width,
                Height = Height,
            }).Path;
    }

    private string DrawPaths(string file)
    {
        if (Label is { } labels && labels.Length != paths.Count)
            throw new ArgumentException($"-Label names {labels.Length} path(s) but {paths.Count} were piped.");
        var series = paths.Select((p, i) => new PathSeries(
            Label?[i] ?? $"{p.Checkpoint.Name} → {p.Target.Name}{(p.Bend is null ? "" : $" ({p.Path} through {p.Bend.Name})")}", p.T, p.TrainLoss ?? p.TestLoss!, p.TrainError ?? p.TestError!,
            p.TrainLoss is null ? null : p.TestLoss, p.TrainLoss is null ? null : p.TestError)).ToArray();
        var architecture = paths[0].Checkpoint.Architecture;
        return LandscapePlotter.PlotPathComparison(new PathComparisonData(series), file, new PathComparisonOptions
        {
            Title = Title ?? $"{architecture}: loss and error along the path{(paths.Count > 1 ? "s" : "")}",
            Width = MyInvocation.BoundParameters.ContainsKey(nameof(Width)) ? Width : 1000,
            Height = MyInvocation.BoundParameters.ContainsKey(nameof(Height)) ? Height : 480,
        }).Path;
    }

    /// <summary>Every piped 1D surface on one α axis: loss and error, train solid and test dashed, one colour per surface.</summary>
    private string DrawOverlay(string file)
    {
        if (collected.FirstOrDefault(s => s.Dimensions != 1) is { } plane)
            throw new ArgumentException($"-Layout Overlay draws 1D curves on one axis, but {CurveLabel(plane)} is a {plane.Dimensions}D surface; use -Layout Grid for planes.");
        if (Label is { } labels && labels.Length != collected.Count)
            throw new ArgumentException($"-Label names {labels.Length} curve(s) but {collected.Count} surfaces were piped.");
        var series = collected.Select((surface, i) =>
        {
            var train = Values(surface, "train_loss");
            var loss = train ?? Values(surface, "test_loss")!;
            var accuracy = train is null ? Values(surface, "test_acc") : Values(surface, "train_acc");
            var testLoss = train is null ? null : Values(surface, "test_loss");
            var testAccuracy = train is null ? null : Values(surface, "test_acc");
            return new PathSeries(Label?[i] ?? CurveLabel(surface), surface.Result.Grid.X, loss, Errors(accuracy, loss.Length), testLoss, testAccuracy is null ? null : Errors(testAccuracy, testAccuracy.Length));
        }).ToArray();
        var (xLabel, _) = AxisLabels(collected[0]);
        return LandscapePlotter.PlotPathComparison(
            new PathComparisonData(series) { XLabel = xLabel, XMin = series.Min(s => s.T.Min()), XMax = series.Max(s => s.T.Max()) },
            file,
            new PathComparisonOptions
            {
                Title = Title ?? $"{collected[0].Architecture}: loss and error along the direction",
                Width = MyInvocation.BoundParameters.ContainsKey(nameof(Width)) ? Width : 1000,
                Height = MyInvocation.BoundParameters.ContainsKey(nameof(Height)) ? Height : 480,
            }).Path;
    }

    /// <summary>A surface's name in a legend: where in training its checkpoint was.</summary>
    private static string CurveLabel(LossSurface surface) =>
        surface.CheckpointStep is { } step ? $"step {step}" : surface.CheckpointEpoch is { } epoch ? $"epoch {epoch}" : surface.Architecture;

    /// <summary>Error in percent; NaN (a gap) where no accuracy was recorded.</summary>
    private static double[] Errors(double[]? accuracy, int length) =>
        accuracy is null ? Enumerable.Repeat(double.NaN, length).ToArray() : accuracy.Select(a => 100 - a).ToArray();

    /// <summary>λmax, worst-case and average-case sharpness of every piped checkpoint against its place in training.</summary>
    private string DrawMeasurements(string file)
    {
        if (measurements.Select(m => m.Checkpoint.Step is null).Distinct().Count() > 1)
            throw new ArgumentException("Some checkpoints are placed by step and others by epoch; pipe the checkpoints of one run.");
        var ordered = measurements.Select(m => (Position: TrainingPosition(m.Checkpoint), Measurement: m)).ToArray();
        var missing = ordered.FirstOrDefault(o => o.Position is null).Measurement;
        if (missing is not null)
            throw new ArgumentException($"{missing.Checkpoint.Name} records no epoch or step, so it has no place on the training axis.");
        ordered = [.. ordered.OrderBy(o => o.Position)];
        var x = ordered.Select(o => (double)o.Position!.Value).ToArray();
        var first = ordered[0].Measurement;
        if (ordered.Any(o => o.Measurement.Norm != first.Norm || o.Measurement.Rho != first.Rho))
            throw new ArgumentException("The measurements differ in norm or ρ, so their sharpness values are not on one scale; pipe one setting at a time.");
        var series = new List<MeasureSeries>();
        if (ordered.All(o => o.Measurement.MaxEigenvalue is not null))
            series.Add(new MeasureSeries("λmax of the Hessian", x, ordered.Select(o => o.Measurement.MaxEigenvalue!.Value).ToArray()));
        series.Add(new MeasureSeries("worst-case sharpness", x, ordered.Select(o => o.Measurement.WorstCase).ToArray()));
        if (ordered.All(o => o.Measurement.Samples > 0))
            series.Add(new MeasureSeries("average-case sharpness", x, ordered.Select(o => o.Measurement.AverageCase).ToArray()));
        var setting = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{first.Norm}, ρ = {first.Rho:G3}");
        return LandscapePlotter.PlotMeasureSeries(
            new MeasureSeriesData(PositionLabel(first.Checkpoint), series) { Marks = HighlightEpoch.Select(e => (double)e).ToArray() },
            file,
            new MeasureSeriesOptions
            {
                Title = Title ?? $"{first.Checkpoint.Architecture}: curvature along training (sharpness {setting})",
                LogScale = LogScale,
                Width = MyInvocation.BoundParameters.ContainsKey(nameof(Width)) ? Width : 1000,
                Height = MyInvocation.BoundParameters.ContainsKey(nameof(Height)) ? Height : 420,
            }).Path;
    }

    /// <summary>Where in its run a checkpoint was written: the step of a step-based run, else the epoch.</summary>
    private static long? TrainingPosition(Checkpoint checkpoint) => checkpoint.Step ?? checkpoint.Epoch;

    private static string PositionLabel(Checkpoint checkpoint) => checkpoint.Step is null ? "epoch" : "step";

    /// <summary>-Path when it names a file, else <c>&lt;architecture&gt;-&lt;kind&gt;.png</c> in the -Path folder (default: the current one).</summary>
    private string NamedFile(string architecture, string kind)
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (!Directory.Exists(path) && System.IO.Path.HasExtension(path)) return path;
        return System.IO.Path.Combine(path, $"{PlotFileName.Part(architecture)}-{kind}.png");
    }

    private string PathsFile(ModeConnectivity first)
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (!Directory.Exists(path) && System.IO.Path.HasExtension(path)) return path;
        return System.IO.Path.Combine(path, $"{PlotFileName.Part(first.Checkpoint.Architecture)}-paths.png");
    }

    private string SpectrumFile(HessianSpectrum spectrum)
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (!Directory.Exists(path) && System.IO.Path.HasExtension(path)) return path;
        var epoch = spectrum.Checkpoint.Epoch is { } e ? $"-epoch{e:D3}" : "";
        return System.IO.Path.Combine(path, $"{PlotFileName.Part(spectrum.Checkpoint.Architecture)}{epoch}-hessian-groups.png");
    }

    /// <summary>The surface's first direction kind, or null for a surface file made elsewhere (no directions recorded).</summary>
    private static DirectionKind? PlaneKind(LossSurface surface) => surface.Result.Metadata.Directions.FirstOrDefault()?.Recipe.Kind;

    /// <summary>
    /// The most one range of a PCA plane may exceed the other for equal units by default. Beyond it the
    /// plane at equal units is a strip a few pixels high (a path whose first component explains 99 % of
    /// its variance), whose ticks collide: the area is filled instead, and -Verbose says so.
    /// </summary>
    private const double MaxDefaultAspectRatio = 5;

    /// <summary>-EqualAspect when given; else on for a PCA plane unless it is a strip, else the plot's own rule (null).</summary>
    private bool? AspectChoice(LossSurface surface)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(EqualAspect))) return EqualAspect.IsPresent;
        if (PlaneKind(surface) == DirectionKind.CurvePlane) return true;
        if (PlaneKind(surface) != DirectionKind.Pca || surface.Y is not { Length: > 1 } y) return null;
        double ratio = (surface.X[^1] - surface.X[0]) / (y[^1] - y[0]);
        if (ratio is >= 1 / MaxDefaultAspectRatio and <= MaxDefaultAspectRatio) return true;
        WriteVerbose($"The PCA plane's ranges differ by a factor {Math.Max(ratio, 1 / ratio):G3}: at equal units it would be a thin strip, so the plot fills its area instead (-EqualAspect forces equal units).");
        return false;
    }

    /// <summary>
    /// α and β, except on a PCA plane, whose axes are its components: "PC1 (92.5 %)" with the share
    /// of the trajectory's variance each explains when -Trajectory gives it, else "PC1".
    /// </summary>
    private (string X, string Y) AxisLabels(LossSurface surface)
    {
        if (PlaneKind(surface) == DirectionKind.CurvePlane) return ("toward θ_B (unit norm)", "toward the bend, orthogonal (unit norm)");
        if (PlaneKind(surface) != DirectionKind.Pca) return ("α", "β");
        var ratios = Trajectory?.ExplainedVarianceRatio ?? [];
        string Label(int axis) => axis < ratios.Length
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PC{axis + 1} ({ratios[axis] * 100:F1} %)")
            : $"PC{axis + 1}";
        var directions = surface.Result.Metadata.Directions;
        return (Label(directions[0].Recipe.Axis), directions.Count > 1 ? Label(directions[1].Recipe.Axis) : "β");
    }

    /// <summary>The value of -Min or -Max when the user gave it; null lets the plot take it from the data (heatmap) or not clip (VTP).</summary>
    private double? Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name) ? (name == nameof(Min) ? Min : Max) : null;

    /// <summary>The per-point standard deviation over the draws of the values <see cref="SurfaceData"/> draws the mean of.</summary>
    private SurfacePlotData SpreadData(LossSurface surface, SurfaceMembers members)
    {
        var key = ValueKey(surface);
        var deviation = members.Statistics(key).StandardDeviation;
        var grid = surface.Result.Grid;
        var cells = new double[grid.Y!.Length, grid.X.Length];
        Buffer.BlockCopy(deviation, 0, cells, 0, deviation.Length * sizeof(double));
        return new SurfacePlotData(grid.X, grid.Y, cells) { ValueLabel = $"sd of {ValueLabel(key)}" };
    }

    private SurfacePlotData SurfaceData(LossSurface surface)
    {
        if (surface.Dimensions != 2) throw new ArgumentException("Only 2D surfaces can be drawn in this style or side by side.");
        var key = ValueKey(surface);
        var values = Values(surface, key)
            ?? throw new ArgumentException($"The surface has no {key} values; it holds {string.Join(", ", surface.ValueNames)}.");
        var grid = surface.Result.Grid;
        var cells = new double[grid.Y!.Length, grid.X.Length];
        Buffer.BlockCopy(values, 0, cells, 0, values.Length * sizeof(double));
        return new SurfacePlotData(grid.X, grid.Y, cells) { ValueLabel = ValueLabel(key) };
    }

    private string ValueKey(LossSurface surface) =>
        Value ?? (surface.Result.Values.ContainsKey("eig_ratio") ? "eig_ratio" : SurfaceResult.LossKey(Split.ToLowerInvariant()));

    private static string ValueLabel(string key) => key switch
    {
        "eig_ratio" => "|λmin/λmax|",
        "max_eig" => "λmax",
        "min_eig" => "λmin",
        _ => key.Replace('_', ' ').Replace(" acc", " accuracy (%)"),
    };

    private RenderedPlot PlotCurve(LossSurface surface, string file)
    {
        var result = surface.Result;
        var isInterpolation = result.Metadata.Directions.FirstOrDefault()?.Recipe.Kind == DirectionKind.Target;
        var train = Values(surface, "train_loss");
        var data = new CurvePlotData(
            result.Grid.X,
            train ?? Values(surface, "test_loss")!,
            train is null ? Values(surface, "test_acc") : Values(surface, "train_acc"),
            train is null ? null : Values(surface, "test_loss"),
            train is null ? null : Values(surface, "test_acc"));
        if (result.Members is { } members)
        {
            data = train is null
                ? data with { TrainLossSpread = Spread(members, "test_loss") }
                : data with { TrainLossSpread = Spread(members, "train_loss"), TestLossSpread = data.TestLoss is null ? null : Spread(members, "test_loss") };
        }
        return LandscapePlotter.PlotCurve(
            data,
            file,
            new CurvePlotOptions
            {
                Title = Title ?? DefaultTitle(surface),
                XLabel = result.Metadata.Curve is { } curve ? $"t along the {curve} curve" : isInterpolation ? "interpolation coefficient" : "α",
                LogLoss = LogScale,
                LossMin = Bound(nameof(Min)),
                LossMax = Bound(nameof(Max)),
                MarkX = isInterpolation ? [0, 1] : [0],
                Width = Width,
                Height = Height,
            });
    }

    /// <summary>On a curve's plane: the curve through its three points (it lies in the plane, so it is drawn exactly), θ_A, θ_B and the bend marked.</summary>
    private static PathOverlay? CurveOverlay(LossSurface surface)
    {
        if (surface.Result.Metadata.Directions is not [{ Recipe: { Kind: DirectionKind.CurvePlane, Plane: { } plane } }, _]) return null;
        var points = SurfaceGrid.Linspace(0, 1, CurveOverlayPoints).Select(plane.At).ToArray();
        return new PathOverlay(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), $"{plane.Curve} curve")
        {
            StartLabel = "θ_A",
            EndLabel = "θ_B",
            Marks = [new PathMark(plane.BendX, plane.BendY, "bend")],
        };
    }

    private const int CurveOverlayPoints = 61;

    private PathOverlay? TrajectoryOverlay(LossSurface surface)
    {
        if (Trajectory is null) return null;
        var surfaceDirections = surface.Directions.Select(d => d.Sha256).ToArray();
        if (!Trajectory.Direction.Select(d => d.Sha256).SequenceEqual(surfaceDirections))
            throw new ArgumentException("The trajectory lies on another plane: compute the surface along its PCA directions (pipe the Get-TrajectoryPCA result to Get-LossSurface).");
        var points = Trajectory.Points;
        var highlight = points.Select((p, i) => (p, i)).Where(x => (x.p.Step ?? x.p.Epoch) is { } position && HighlightEpoch.Any(h => h == position)).Select(x => x.i).ToArray();
        return new PathOverlay(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), "training path", highlight);
    }

    private CurveSpread Spread(SurfaceMembers members, string key)
    {
        var draws = Enumerable.Range(0, members.Count).Select(k =>
        {
            var grid = members.Grid(key, k);
            return grid.Select((v, i) => members.Computed[k * members.CellCount + i] ? v : double.NaN).ToArray();
        }).ToArray();
        var (min, max) = members.Range(key);
        if (Band == PlotBand.MinMax) return new CurveSpread(min, max, draws, "min–max");
        var (mean, deviation) = members.Statistics(key);
        // A skewed spread puts mean − sd below every draw (a negative loss where all draws are near 0):
        // the band stops at the lowest draw instead of showing values no direction gave.
        return new CurveSpread(mean.Select((m, i) => Math.Max(m - deviation[i], min[i])).ToArray(), mean.Zip(deviation, (m, d) => m + d).ToArray(), draws, "±1 sd");
    }

    /// <summary>The values drawn for <paramref name="key"/>: the surface's, or the mean over its direction draws; points not computed are NaN.</summary>
    private static double[]? Values(LossSurface surface, string key)
    {
        if (surface.Result.Members is { } members) return members.Values.ContainsKey(key) ? members.Statistics(key).Mean : null;
        if (!surface.Result.Values.TryGetValue(key, out var values)) return null;
        // Points not computed yet are drawn as gaps.
        return values.Select((v, i) => surface.Result.Computed[i] ? v : double.NaN).ToArray();
    }

    private string DefaultTitle(LossSurface surface)
    {
        var epoch = surface.CheckpointEpoch is { } e ? $", epoch {e}" : "";
        var what = surface.Result.Metadata.Curve is { } curve ? $"{curve} curve" : "1D";
        return surface.Dimensions == 1
            ? $"{surface.Architecture}{epoch}: {what}, {string.Join(" and ", surface.Splits).ToLowerInvariant()}"
            : $"{surface.Architecture}{epoch}: {ValueLabel(ValueKey(surface))}, {surface.GridSize} grid";
    }

    private string TargetFile(LossSurface surface, int panels = 0)
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (!Directory.Exists(path) && System.IO.Path.HasExtension(path)) return path;
        var epoch = surface.CheckpointEpoch is { } e ? $"-epoch{e:D3}" : "";
        // The plane is named unless it is the paper's default random one, so that the PCA plane and
        // the random plane of one checkpoint never get one file name (the kind's name is plain ASCII).
        var plane = PlaneKind(surface) is { } planeKind and not DirectionKind.Random ? $"-{planeKind.ToString().ToLowerInvariant()}" : "";
        var kind = panels > 0 ? $"{panels}-panels" : surface.Dimensions == 1 ? "1d" : $"2d-{Style.ToString().ToLowerInvariant()}";
        // The architecture is free text from the surface file, which may come from anyone: it names the file, never its folder.
        var architecture = PlotFileName.Part(surface.Architecture);
        if (architecture != surface.Architecture)
            WriteVerbose($"The architecture '{surface.Architecture}' holds characters a file name cannot; the file is named after '{architecture}'.");
        return System.IO.Path.Combine(path, $"{architecture}{epoch}{plane}-{kind}.png");
    }
}
