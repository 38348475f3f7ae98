using System.Management.Automation;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Surfaces;
using LossLandscape.Plotting;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Draws a <see cref="LossSurface"/>: a 1D curve (loss, and accuracy on a second axis) or 2D
/// contours (lines, or a filled map with a colour bar), as PNG or SVG.
/// </summary>
[Cmdlet(VerbsData.Export, "LandscapePlot", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLandscapePlotCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LossSurface Surface { get; set; } = null!;

    /// <summary>Image file (.png or .svg), or a folder to write a file named after the surface into (default: the current folder).</summary>
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    /// <summary>2D only: contour lines, or a filled map with the lines on top.</summary>
    [Parameter]
    public ContourStyle Style { get; set; } = ContourStyle.Lines;

    /// <summary>2D only: which split's loss to draw when the surface has both.</summary>
    [Parameter]
    [ValidateSet("Train", "Test")]
    public string Split { get; set; } = "Train";

    [Parameter]
    public double Min { get; set; } = 0.1;

    [Parameter]
    public double Max { get; set; } = 10;

    [Parameter]
    public double LevelStep { get; set; } = 0.5;

    /// <summary>2D filled: colour by log10 of the loss.</summary>
    [Parameter]
    public SwitchParameter LogColor { get; set; }

    /// <summary>1D: loss on a log scale.</summary>
    [Parameter]
    public SwitchParameter LogLoss { get; set; }

    [Parameter]
    public string? Title { get; set; }

    [Parameter]
    [ValidateRange(200, 10_000)]
    public int Width { get; set; } = 800;

    [Parameter]
    [ValidateRange(200, 10_000)]
    public int Height { get; set; } = 600;

    /// <summary>2D only: draw this trajectory (from Get-TrajectoryPCA) over the contours, start and end marked.</summary>
    [Parameter]
    public TrajectoryPca? Trajectory { get; set; }

    /// <summary>With -Trajectory: epochs drawn in red (e.g. where the learning rate dropped).</summary>
    [Parameter]
    public int[] HighlightEpoch { get; set; } = [];

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var file = TargetFile();
        if (File.Exists(file) && !Force)
        {
            WriteError(new ErrorRecord(new IOException($"'{file}' exists; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, file));
            return;
        }
        if (!ShouldProcess(file, "Write landscape plot")) return;
        try
        {
            var rendered = Surface.Dimensions == 1 ? PlotCurve(file) : PlotContour(file);
            WriteVerbose($"Plot written to {rendered.Path} ({rendered.Width}×{rendered.Height}).");
            if (PassThru) WriteObject(new FileInfo(rendered.Path));
        }
        catch (ArgumentException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.PlotFailed, ErrorCategory.InvalidArgument, Surface));
        }
        catch (IOException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.PlotFailed, ErrorCategory.WriteError, file));
        }
    }

    private RenderedPlot PlotCurve(string file)
    {
        var result = Surface.Result;
        var isInterpolation = result.Metadata.Directions.FirstOrDefault()?.Recipe.Kind == DirectionKind.Target;
        return LandscapePlotter.PlotCurve(
            new CurvePlotData(
                result.Grid.X,
                Values("train_loss") ?? Values("test_loss")!,
                Values("train_loss") is null ? Values("test_acc") : Values("train_acc"),
                Values("train_loss") is null ? null : Values("test_loss"),
                Values("train_loss") is null ? null : Values("test_acc")),
            file,
            new CurvePlotOptions
            {
                Title = Title ?? DefaultTitle(),
                XLabel = isInterpolation ? "interpolation coefficient" : "α",
                LogLoss = LogLoss,
                MarkX = isInterpolation ? [0, 1] : [0],
                Width = Width,
                Height = Height,
            });
    }

    private RenderedPlot PlotContour(string file)
    {
        var prefix = Split.ToLowerInvariant();
        var values = Values(SurfaceResult.LossKey(prefix))
            ?? throw new ArgumentException($"The surface has no {Split} split; it was computed on {string.Join(" and ", Surface.Splits)}.");
        var grid = Surface.Result.Grid;
        var cells = new double[grid.Y!.Length, grid.X.Length];
        Buffer.BlockCopy(values, 0, cells, 0, values.Length * sizeof(double));
        return LandscapePlotter.PlotContour(
            new SurfacePlotData(grid.X, grid.Y, cells) { ValueLabel = $"{prefix} loss", Path = TrajectoryOverlay() },
            file,
            new ContourPlotOptions
            {
                Style = Style,
                Min = Min,
                Max = Max,
                LevelStep = LevelStep,
                LogColor = LogColor,
                Title = Title ?? DefaultTitle(),
                Width = Width,
                Height = Height,
            });
    }

    private PathOverlay? TrajectoryOverlay()
    {
        if (Trajectory is null) return null;
        var surfaceDirections = Surface.Directions.Select(d => d.Sha256).ToArray();
        if (!Trajectory.Direction.Select(d => d.Sha256).SequenceEqual(surfaceDirections))
            throw new ArgumentException("The trajectory lies on another plane: compute the surface along its PCA directions (pipe the Get-TrajectoryPCA result to Get-LossSurface).");
        var points = Trajectory.Points;
        var highlight = points.Select((p, i) => (p, i)).Where(x => x.p.Epoch is { } e && HighlightEpoch.Contains(e)).Select(x => x.i).ToArray();
        return new PathOverlay(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), "training path", highlight);
    }

    private double[]? Values(string key)
    {
        if (!Surface.Result.Values.TryGetValue(key, out var values)) return null;
        // Points not computed yet are drawn as gaps.
        return values.Select((v, i) => Surface.Result.Computed[i] ? v : double.NaN).ToArray();
    }

    private string DefaultTitle()
    {
        var epoch = Surface.CheckpointEpoch is { } e ? $", epoch {e}" : "";
        return Surface.Dimensions == 1
            ? $"{Surface.Architecture}{epoch}: 1D, {string.Join(" and ", Surface.Splits).ToLowerInvariant()}"
            : $"{Surface.Architecture}{epoch}: {Split.ToLowerInvariant()} loss, {Surface.GridSize} grid";
    }

    private string TargetFile()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        if (!Directory.Exists(path) && System.IO.Path.HasExtension(path)) return path;
        var epoch = Surface.CheckpointEpoch is { } e ? $"-epoch{e:D3}" : "";
        var kind = Surface.Dimensions == 1 ? "1d" : $"2d-{Style.ToString().ToLowerInvariant()}";
        return System.IO.Path.Combine(path, $"{Surface.Architecture}{epoch}-{kind}.png");
    }
}
