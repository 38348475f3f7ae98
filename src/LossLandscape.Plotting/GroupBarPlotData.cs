namespace LossLandscape.Plotting;

/// <summary>The Hessian's curvature per parameter group (layer or block), one bar per group in each panel.</summary>
/// <param name="Groups">The groups' names, in the model's order, written under the bars.</param>
/// <param name="Trace">Each group's share of the trace, tr(H_gg): the first panel.</param>
/// <param name="TraceError">Standard errors of <paramref name="Trace"/>, drawn as whiskers; none when null.</param>
/// <param name="MaxEigenvalue">λmax(H_gg) of each group: a second panel below the first; none when null.</param>
public sealed record GroupBarPlotData(string[] Groups, double[] Trace, double[]? TraceError = null, double[]? MaxEigenvalue = null);
