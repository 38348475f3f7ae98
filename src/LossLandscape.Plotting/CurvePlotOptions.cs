namespace LossLandscape.Plotting;

/// <summary>How a 1D landscape plot looks; every property has the paper's default.</summary>
public sealed record CurvePlotOptions
{
    /// <summary>Text above the plot; none when null.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the x axis: "α" for a direction, "interpolation coefficient" for 1D interpolation.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>Label of the left (loss) axis.</summary>
    public string LossLabel { get; init; } = "loss";

    /// <summary>Label of the right (accuracy) axis.</summary>
    public string AccuracyLabel { get; init; } = "accuracy (%)";

    /// <summary>
    /// Draws the loss on a base-10 log scale, as the paper often does for 1D plots.
    /// Non-positive losses cannot be placed on it and are left out.
    /// </summary>
    public bool LogLoss { get; init; }

    /// <summary>Lower end of the loss axis; fitted to the finite data when null.</summary>
    public double? LossMin { get; init; }

    /// <summary>
    /// Upper end of the loss axis; fitted to the finite data when null. Set it when diverged points
    /// hold huge finite values, which would otherwise flatten the rest of the curve.
    /// </summary>
    public double? LossMax { get; init; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 600;

    /// <summary>
    /// Positions marked with a dotted vertical line, e.g. 0 and 1 for the two end points of an interpolation.
    /// </summary>
    public double[]? MarkX { get; init; }
}
