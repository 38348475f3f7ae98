namespace LossLandscape.Plotting;

/// <summary>
/// Rejects input that cannot make a meaningful plot, naming the problem, before anything is drawn.
/// Non-finite values inside the series are accepted: they are data (not computed yet, diverged).
/// </summary>
internal static class PlotInputValidator
{
    /// <summary>The most points a VTP file may hold: ASCII costs about 40 bytes a point, so this is ~1 GB.</summary>
    public const int MaxVtpPoints = 25_000_000;

    public static void Validate(CurvePlotData data, CurvePlotOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        RequireCoordinates(data.X, "X");
        RequireSeries(data.TrainLoss, "TrainLoss", data.X.Length);
        if (data.TrainAccuracy is not null) RequireSeries(data.TrainAccuracy, "TrainAccuracy", data.X.Length);
        if (data.TestLoss is not null) RequireSeries(data.TestLoss, "TestLoss", data.X.Length);
        if (data.TestAccuracy is not null) RequireSeries(data.TestAccuracy, "TestAccuracy", data.X.Length);
        if (data.TrainLossSpread is not null) RequireSpread(data.TrainLossSpread, "TrainLossSpread", data.X.Length);
        if (data.TestLossSpread is not null)
        {
            if (data.TestLoss is null) throw new ArgumentException("TestLossSpread needs TestLoss, the curve it is drawn around.", nameof(data));
            RequireSpread(data.TestLossSpread, "TestLossSpread", data.X.Length);
        }
        RequireImageSize(options.Width, options.Height);

        if (options.LossMin is { } lossMin && !double.IsFinite(lossMin))
            throw new ArgumentException($"LossMin must be finite, not {lossMin}.", nameof(options));
        if (options.LossMax is { } lossMax && !double.IsFinite(lossMax))
            throw new ArgumentException($"LossMax must be finite, not {lossMax}.", nameof(options));
        if (options.LossMin is { } min && options.LossMax is { } max && !(min < max))
            throw new ArgumentException($"LossMin ({min}) must be less than LossMax ({max}).", nameof(options));
        if (options.LogLoss && options.LossMin is <= 0)
            throw new ArgumentException($"LossMin must be positive on a log scale, not {options.LossMin}.", nameof(options));
        if (options.MarkX is { } marks && marks.Any(m => !double.IsFinite(m)))
            throw new ArgumentException("MarkX holds a value that is not finite.", nameof(options));
    }

    public static void Validate(GroupBarPlotData data, GroupBarPlotOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data.Groups, nameof(data));
        ArgumentNullException.ThrowIfNull(data.Trace, nameof(data));
        if (data.Groups.Length == 0) throw new ArgumentException("There are no groups to draw.", nameof(data));
        if (data.Groups.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Every group needs a name.", nameof(data));
        foreach (var (series, name) in new[] { (data.Trace, "Trace"), (data.TraceError, "TraceError"), (data.MaxEigenvalue, "MaxEigenvalue") })
        {
            if (series is null) continue;
            if (series.Length != data.Groups.Length)
                throw new ArgumentException($"{name} has {series.Length} values for {data.Groups.Length} groups.", nameof(data));
            // A bar has no gap to show for a missing value, unlike a curve or a surface.
            if (Array.FindIndex(series, v => !double.IsFinite(v)) is var at and >= 0)
                throw new ArgumentException($"{name} of group '{data.Groups[at]}' is not finite ({series[at]}).", nameof(data));
        }
        if (data.TraceError is { } errors && errors.Any(e => e < 0))
            throw new ArgumentException("TraceError holds a negative standard error.", nameof(data));
        if (options.LogScale == true)
        {
            foreach (var (series, name) in new[] { (data.Trace, "trace"), (data.MaxEigenvalue, "λmax") })
            {
                if (series is not null && Array.FindIndex(series, v => v <= 0) is var at and >= 0)
                    throw new ArgumentException($"A log scale needs positive values; the {name} of group '{data.Groups[at]}' is {series[at]}.", nameof(options));
            }
        }
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(PathComparisonData data, PathComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data.Paths, nameof(data));
        if (data.Paths.Count == 0) throw new ArgumentException("There is no path to draw.", nameof(data));
        if (!double.IsFinite(data.XMin) || !double.IsFinite(data.XMax) || !(data.XMin < data.XMax))
            throw new ArgumentException($"The x axis needs finite limits with XMin < XMax (got {data.XMin} and {data.XMax}).", nameof(data));
        foreach (var path in data.Paths)
        {
            ArgumentNullException.ThrowIfNull(path, nameof(data));
            if (string.IsNullOrWhiteSpace(path.Label)) throw new ArgumentException("Every path needs a label.", nameof(data));
            ArgumentNullException.ThrowIfNull(path.T, nameof(data));
            if (path.T.Length < 2 || path.T.Any(t => !double.IsFinite(t) || t < data.XMin || t > data.XMax))
                throw new ArgumentException($"The curve '{path.Label}' needs at least two finite positions {data.XLabel} in [{data.XMin}, {data.XMax}].", nameof(data));
            foreach (var (series, name) in new[] { (path.TrainLoss, "TrainLoss"), (path.TrainError, "TrainError"), (path.TestLoss, "TestLoss"), (path.TestError, "TestError") })
            {
                if (series is not null && series.Length != path.T.Length)
                    throw new ArgumentException($"{name} of the path '{path.Label}' has {series.Length} values for {path.T.Length} positions.", nameof(data));
            }
            ArgumentNullException.ThrowIfNull(path.TrainLoss, nameof(data));
            ArgumentNullException.ThrowIfNull(path.TrainError, nameof(data));
        }
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(MeasureSeriesData data, MeasureSeriesOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data.Series, nameof(data));
        ArgumentNullException.ThrowIfNull(data.Marks, nameof(data));
        if (data.Series.Count == 0) throw new ArgumentException("There is no measurement to draw.", nameof(data));
        foreach (var series in data.Series)
        {
            ArgumentNullException.ThrowIfNull(series, nameof(data));
            ArgumentNullException.ThrowIfNull(series.X, nameof(data));
            ArgumentNullException.ThrowIfNull(series.Y, nameof(data));
            if (string.IsNullOrWhiteSpace(series.Label)) throw new ArgumentException("Every measurement needs a label.", nameof(data));
            if (series.X.Length == 0 || series.X.Length != series.Y.Length)
                throw new ArgumentException($"'{series.Label}' needs one value per position (got {series.Y.Length} values for {series.X.Length} positions).", nameof(data));
            if (series.X.Any(x => !double.IsFinite(x))) throw new ArgumentException($"The positions of '{series.Label}' must be finite.", nameof(data));
        }
        if (data.Marks.Any(m => !double.IsFinite(m))) throw new ArgumentException("Marked positions must be finite.", nameof(data));
        RequireImageSize(options.Width, options.Height);
    }

    private static void RequireSpread(CurveSpread spread, string name, int length)
    {
        RequireSeries(spread.Lower, $"{name}.Lower", length);
        RequireSeries(spread.Upper, $"{name}.Upper", length);
        ArgumentNullException.ThrowIfNull(spread.Draws, $"{name}.Draws");
        for (var k = 0; k < spread.Draws.Count; k++) RequireSeries(spread.Draws[k], $"{name}.Draws[{k}]", length);
    }

    public static void Validate(SurfacePlotData data, ContourPlotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSurface(data);
        if (options.Style == ContourStyle.Filled)
        {
            // The colour map draws equal cells, so cell centres only land on the grid points when they are evenly spaced.
            RequireEvenSpacing(data.X, "X");
            RequireEvenSpacing(data.Y, "Y");
        }
        if (data.Path is { } path)
        {
            ArgumentNullException.ThrowIfNull(path.X, nameof(data));
            ArgumentNullException.ThrowIfNull(path.Y, nameof(data));
            if (path.X.Length != path.Y.Length)
                throw new ArgumentException($"Path has {path.X.Length} X values but {path.Y.Length} Y values.", nameof(data));
            if (path.Marks.Any(m => !double.IsFinite(m.X) || !double.IsFinite(m.Y)))
                throw new ArgumentException("Path marks must have finite coordinates.", nameof(data));
        }

        if (!double.IsFinite(options.Min) || !double.IsFinite(options.Max) || !(options.Min < options.Max))
            throw new ArgumentException($"Min ({options.Min}) must be less than Max ({options.Max}), both finite.", nameof(options));
        if (!double.IsFinite(options.LevelStep) || options.LevelStep <= 0)
            throw new ArgumentException($"LevelStep must be positive, not {options.LevelStep}.", nameof(options));
        if (options.LogColor && options.Min <= 0)
            throw new ArgumentException($"LogColor needs Min > 0, not {options.Min}.", nameof(options));
        if (options.LogLevels && options.Min <= 0)
            throw new ArgumentException($"LogLevels needs Min > 0, not {options.Min}.", nameof(options));
        int levelCount = ContourLevels.Count(options.Min, options.Max, options.LevelStep);
        if (levelCount > ContourLevels.MaxCount)
        {
            throw new ArgumentException(
                $"Min {options.Min}, Max {options.Max} and LevelStep {options.LevelStep} give {levelCount} contour levels; " +
                $"at most {ContourLevels.MaxCount} are allowed.", nameof(options));
        }
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(SurfacePlotData data, SurfaceHtmlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSurface(data);
        RequireZRange(options.ZMin, options.ZMax, options.LogZ);
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(SurfacePlotData data, VtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSurface(data);
        if (options.ZMax is { } zMax && !double.IsFinite(zMax))
            throw new ArgumentException($"ZMax must be finite, not {zMax}; leave it null to keep every value.", nameof(options));
        if (options.Interpolate < 1)
            throw new ArgumentException($"Interpolate must be at least 1 (1 keeps the grid), not {options.Interpolate}.", nameof(options));
        long columns = (long)(data.X.Length - 1) * options.Interpolate + 1;
        long rows = (long)(data.Y.Length - 1) * options.Interpolate + 1;
        if (columns * rows > MaxVtpPoints)
        {
            throw new ArgumentException(
                $"Interpolate {options.Interpolate} turns the {data.X.Length}×{data.Y.Length} grid into {columns}×{rows} points; " +
                $"at most {MaxVtpPoints} are allowed.", nameof(options));
        }
    }

    public static void Validate(SurfacePlotData data, Surface3DOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSurface(data);
        RequireZRange(options.ZMin, options.ZMax, options.LogZ);
        if (!double.IsFinite(options.Azimuth))
            throw new ArgumentException($"Azimuth must be finite, not {options.Azimuth}.", nameof(options));
        if (!(options.Elevation is >= -90 and <= 90))
            throw new ArgumentException($"Elevation must lie between -90 and 90 degrees, not {options.Elevation}.", nameof(options));
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(SurfacePlotData data, HeatmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSurface(data);
        // The colour map draws equal cells, so cell centres only land on the grid points when they are evenly spaced.
        RequireEvenSpacing(data.X, "X");
        RequireEvenSpacing(data.Y, "Y");
        if (options.Min is { } min && !double.IsFinite(min))
            throw new ArgumentException($"Min must be finite, not {min}.", nameof(options));
        if (options.Max is { } max && !double.IsFinite(max))
            throw new ArgumentException($"Max must be finite, not {max}.", nameof(options));
        if (options.Min is { } low && options.Max is { } high && !(low < high))
            throw new ArgumentException($"Min ({low}) must be less than Max ({high}).", nameof(options));
        if (options.LogColor && (options.Min is <= 0 || options.Max is <= 0))
            throw new ArgumentException($"LogColor needs a positive Min and Max, not {options.Min} and {options.Max}.", nameof(options));
        RequireImageSize(options.Width, options.Height);
    }

    public static void Validate(IReadOnlyList<SurfacePlotData> surfaces, PanelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (surfaces is null || surfaces.Count == 0)
            throw new ArgumentException("Panels need at least one surface.", nameof(surfaces));
        if (options.Columns is < 1)
            throw new ArgumentException($"Columns must be at least 1, not {options.Columns}.", nameof(options));
        var figure = new PanelFigure(surfaces, options);
        for (int k = 0; k < surfaces.Count; k++)
        {
            try
            {
                if (surfaces[k] is null)
                    throw new ArgumentException("The surface is missing.", nameof(surfaces));
                if (figure.HasOwnScale(k)) Validate(surfaces[k], figure.HeatmapOptionsFor(surfaces[k]));
                else Validate(surfaces[k], figure.OptionsFor(surfaces[k]));
            }
            catch (ArgumentException error)
            {
                // The same checks as a single contour plot, said of the panel they concern.
                throw new ArgumentException($"Panel {k}: {error.Message}", error.ParamName, error);
            }
        }
        RequireImageSize(figure.Width, figure.Height);
    }

    private static void RequireZRange(double zMin, double zMax, bool logZ)
    {
        if (!double.IsFinite(zMin) || !double.IsFinite(zMax) || !(zMin < zMax))
            throw new ArgumentException($"ZMin ({zMin}) must be less than ZMax ({zMax}), both finite.", "options");
        if (logZ && zMin <= 0)
            throw new ArgumentException($"LogZ needs ZMin > 0, not {zMin}.", "options");
    }

    private static void RequireSurface(SurfacePlotData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireCoordinates(data.X, "X");
        RequireCoordinates(data.Y, "Y");
        if (data.Values is null)
            throw new ArgumentException("Values is missing.", nameof(data));
        if (data.Values.GetLength(0) != data.Y.Length || data.Values.GetLength(1) != data.X.Length)
        {
            throw new ArgumentException(
                $"Values is {data.Values.GetLength(0)}×{data.Values.GetLength(1)} but must be indexed [y, x]: " +
                $"{data.Y.Length} rows (Y.Length) × {data.X.Length} columns (X.Length).", nameof(data));
        }
    }

    private static void RequireCoordinates(double[]? coordinates, string name)
    {
        if (coordinates is null)
            throw new ArgumentException($"{name} is missing.", "data");
        if (coordinates.Length < 2)
            throw new ArgumentException($"{name} needs at least 2 points, not {coordinates.Length}.", "data");
        for (int k = 0; k < coordinates.Length; k++)
        {
            if (!double.IsFinite(coordinates[k]))
                throw new ArgumentException($"{name}[{k}] is {coordinates[k]}; coordinates must be finite.", "data");
            if (k > 0 && !(coordinates[k] > coordinates[k - 1]))
                throw new ArgumentException($"{name} must be strictly ascending, but {name}[{k}] = {coordinates[k]} follows {coordinates[k - 1]}.", "data");
        }
    }

    private static void RequireSeries(double[]? series, string name, int expectedLength)
    {
        if (series is null)
            throw new ArgumentException($"{name} is missing.", "data");
        if (series.Length != expectedLength)
            throw new ArgumentException($"{name} has {series.Length} values but X has {expectedLength}.", "data");
    }

    private static void RequireEvenSpacing(double[] coordinates, string name)
    {
        double step = (coordinates[^1] - coordinates[0]) / (coordinates.Length - 1);
        for (int k = 1; k < coordinates.Length; k++)
        {
            if (Math.Abs(coordinates[k] - coordinates[k - 1] - step) > 1e-6 * step)
                throw new ArgumentException($"{name} must be evenly spaced for the filled style; the gap after {name}[{k - 1}] differs.", "data");
        }
    }

    private static void RequireImageSize(int width, int height)
    {
        if (width < 200 || height < 150 || width > 10000 || height > 10000)
            throw new ArgumentException($"The image size {width}×{height} is outside 200×150 … 10000×10000 pixels.", "options");
    }
}
