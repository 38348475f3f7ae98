namespace LossLandscape.Plotting;

/// <summary>
/// One curve of a comparison: a path between two models (a line, an aligned line, a curve) along t,
/// or a checkpoint's 1D slice along α; loss and error in percent.
/// </summary>
/// <param name="Label">The legend's name of the curve.</param>
/// <param name="T">Ascending positions along the x axis, within <see cref="PathComparisonData.XMin"/>..<see cref="PathComparisonData.XMax"/>.</param>
/// <param name="TrainError">Training error in percent (100 − accuracy).</param>
/// <param name="TestLoss">Drawn dashed, in the path's colour; none when null.</param>
public sealed record PathSeries(string Label, double[] T, double[] TrainLoss, double[] TrainError, double[]? TestLoss = null, double[]? TestError = null);

/// <summary>Curves drawn over each other on one x axis: loss in one panel, error in the other.</summary>
public sealed record PathComparisonData(IReadOnlyList<PathSeries> Paths)
{
    /// <summary>The x axis's name: t along a path between two models, α along a direction.</summary>
    public string XLabel { get; init; } = "t";

    public double XMin { get; init; }

    public double XMax { get; init; } = 1;
}

public sealed record PathComparisonOptions
{
    public string? Title { get; init; }

    public int Width { get; init; } = 1000;

    public int Height { get; init; } = 480;
}
