namespace LossLandscape.Plotting;

/// <summary>The contour levels Min, Min + Step, … ≤ Max, as the paper's plotting script spaces them.</summary>
internal static class ContourLevels
{
    /// <summary>More lines than this are unreadable and mean the step was mistyped.</summary>
    public const int MaxCount = 200;

    public static int Count(double min, double max, double step) =>
        (int)Math.Min(Math.Floor((max - min) / step + 1e-9) + 1, int.MaxValue);

    public static double[] Compute(double min, double max, double step) =>
        Enumerable.Range(0, Count(min, max, step)).Select(k => min + k * step).ToArray();
}
