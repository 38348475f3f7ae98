namespace LossLandscape.Plotting;

/// <summary>One connected piece of a contour: a polyline in data coordinates at one level.</summary>
/// <remarks>A closed loop repeats its first point at the end.</remarks>
internal sealed record ContourLine(double Level, double[] X, double[] Y);
