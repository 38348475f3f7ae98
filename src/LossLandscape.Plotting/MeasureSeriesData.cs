namespace LossLandscape.Plotting;

/// <summary>One quantity measured at several points of a training run, e.g. λmax at each checkpoint.</summary>
/// <param name="Label">The panel's title: the quantity.</param>
/// <param name="X">Ascending training positions (steps or epochs).</param>
/// <param name="Y">The measurements; a non-finite one is a gap.</param>
public sealed record MeasureSeries(string Label, double[] X, double[] Y);

/// <summary>Quantities against the training position, one panel each, side by side on one x axis.</summary>
/// <param name="XLabel">"step" or "epoch".</param>
public sealed record MeasureSeriesData(string XLabel, IReadOnlyList<MeasureSeries> Series)
{
    /// <summary>Training positions marked by a dashed vertical line in every panel (e.g. where test accuracy jumped).</summary>
    public IReadOnlyList<double> Marks { get; init; } = [];
}

public sealed record MeasureSeriesOptions
{
    public string? Title { get; init; }

    public int Width { get; init; } = 1000;

    public int Height { get; init; } = 420;

    /// <summary>A log y axis where a panel's values are all positive.</summary>
    public bool LogScale { get; init; }
}
