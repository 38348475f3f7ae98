namespace LossLandscape.Plotting;

/// <summary>One path between two models (a line, an aligned line, a curve): loss and error in percent along t.</summary>
/// <param name="Label">The legend's name of the path.</param>
/// <param name="T">Ascending positions along the path, from 0 to 1.</param>
/// <param name="TrainError">Training error in percent (100 − accuracy).</param>
/// <param name="TestLoss">Drawn dashed, in the path's colour; none when null.</param>
public sealed record PathSeries(string Label, double[] T, double[] TrainLoss, double[] TrainError, double[]? TestLoss = null, double[]? TestError = null);

/// <summary>Paths between the same two models, drawn over each other: loss in one panel, error in the other.</summary>
public sealed record PathComparisonData(IReadOnlyList<PathSeries> Paths);

public sealed record PathComparisonOptions
{
    public string? Title { get; init; }

    public int Width { get; init; } = 1000;

    public int Height { get; init; } = 480;
}
