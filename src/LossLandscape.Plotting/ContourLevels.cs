namespace LossLandscape.Plotting;

/// <summary>
/// The contour levels Min, Min + Step, … ≤ Max, as the paper's plotting script spaces them, or as
/// many levels spaced evenly in log10 from Min to Max.
/// </summary>
internal static class ContourLevels
{
    /// <summary>More lines than this are unreadable and mean the step was mistyped.</summary>
    public const int MaxCount = 200;

    public static int Count(double min, double max, double step) =>
        (int)Math.Min(Math.Floor((max - min) / step + 1e-9) + 1, int.MaxValue);

    public static double[] Compute(double min, double max, double step, bool logarithmic)
    {
        int count = Count(min, max, step);
        if (!logarithmic)
            return Enumerable.Range(0, count).Select(k => min + k * step).ToArray();
        if (count == 1)
            return [min];
        // The same number of lines as the linear spacing gives, so the step keeps setting the density,
        // but crowded near a sharp minimum where a linear spacing would put only one or two.
        double ratio = Math.Log(max / min) / (count - 1);
        return Enumerable.Range(0, count).Select(k => k == count - 1 ? max : min * Math.Exp(k * ratio)).ToArray();
    }
}
