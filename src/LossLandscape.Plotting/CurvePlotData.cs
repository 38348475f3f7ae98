namespace LossLandscape.Plotting;

/// <summary>
/// The series of a 1D landscape plot, all sampled at the same <see cref="X"/> positions
/// (α along a direction, or the interpolation coefficient between two models).
/// </summary>
/// <param name="X">Ascending positions along the x axis.</param>
/// <param name="TrainLoss">Training loss at each position; drawn solid on the left axis.</param>
/// <param name="TrainAccuracy">Training accuracy in percent (0–100); drawn solid on the right axis.</param>
/// <param name="TestLoss">Test loss at each position; drawn dashed on the left axis.</param>
/// <param name="TestAccuracy">Test accuracy in percent (0–100); drawn dashed on the right axis.</param>
/// <remarks>
/// Series may hold NaN (not computed yet) and +∞ or huge values (diverged): those points are left
/// out of the drawn line rather than rejected, so a partly finished run can still be looked at.
/// </remarks>
public sealed record CurvePlotData(
    double[] X,
    double[] TrainLoss,
    double[]? TrainAccuracy = null,
    double[]? TestLoss = null,
    double[]? TestAccuracy = null)
{
    /// <summary>The spread of the train loss over several direction draws, drawn around <see cref="TrainLoss"/> (then their mean); none when null.</summary>
    public CurveSpread? TrainLossSpread { get; init; }

    /// <summary>The spread of the test loss, drawn dashed around <see cref="TestLoss"/>.</summary>
    public CurveSpread? TestLossSpread { get; init; }
}

/// <summary>
/// How a loss curve varies over direction draws: a shaded band from <see cref="Lower"/> to
/// <see cref="Upper"/> and each draw as a faint thin line, all at the plot's X positions.
/// </summary>
/// <param name="Lower">Lower edge of the band at each position (NaN: no band there).</param>
/// <param name="Upper">Upper edge of the band.</param>
/// <param name="Draws">Each draw's curve.</param>
/// <param name="BandLabel">The band's legend text, e.g. "±1 sd".</param>
public sealed record CurveSpread(double[] Lower, double[] Upper, IReadOnlyList<double[]> Draws, string BandLabel);
