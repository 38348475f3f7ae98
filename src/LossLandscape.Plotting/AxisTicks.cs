using System.Globalization;

namespace LossLandscape.Plotting;

/// <summary>
/// Tick positions and labels for the axes and colour bars drawn straight on a Skia canvas, where
/// ScottPlot's tick generators (which need its layout) are not at hand.
/// </summary>
internal static class AxisTicks
{
    /// <summary>
    /// Ticks at round steps (1, 2 or 5 × 10^k) inside [low, high], about <paramref name="targetCount"/> of them;
    /// with <paramref name="log10"/> the range is in log10 units and the ticks are those of <see cref="LogTicks"/>.
    /// </summary>
    public static IReadOnlyList<(double Position, string Label)> Create(double low, double high, bool log10, int targetCount = 6)
    {
        if (log10)
        {
            return LogTicks.Compute(low, high)
                .Where(tick => tick.Label is not null)
                .Select(tick => (tick.Position, tick.Label!))
                .ToList();
        }

        double step = RoundStep((high - low) / targetCount);
        var ticks = new List<(double, string)>();
        for (long k = (long)Math.Ceiling(low / step - 1e-9); k * step <= high + step * 1e-9; k++)
        {
            // k × step rather than a running sum, and rounded, so labels read 0.3 and not 0.30000000000000004.
            double position = Math.Round(k * step, 12);
            ticks.Add((position, position.ToString("G6", CultureInfo.InvariantCulture)));
        }
        return ticks;
    }

    private static double RoundStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double mantissa = rough / power;
        return power * (mantissa < 1.5 ? 1 : mantissa < 3.5 ? 2 : mantissa < 7.5 ? 5 : 10);
    }
}
