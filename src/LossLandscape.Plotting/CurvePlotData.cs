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
    double[]? TestAccuracy = null);
