using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LossLandscape.Plotting;

/// <summary>
/// ScottPlot has no log axis: values are plotted as log10 and these ticks sit at 1, 2, 5 × 10^k
/// (only the powers of ten over wide ranges), labelled in value units.
/// </summary>
internal static class LogTicks
{
    /// <summary>Beyond this many decades the 2 and 5 labels crowd the axis.</summary>
    private const double DecadesWithIntermediateLabels = 3;

    public static ITickGenerator Create(double log10Low, double log10High)
    {
        var ticks = new NumericManual();
        bool labelIntermediates = log10High - log10Low <= DecadesWithIntermediateLabels;
        const double tolerance = 1e-9;
        for (int decade = (int)Math.Floor(log10Low); decade <= (int)Math.Ceiling(log10High); decade++)
        {
            for (int multiple = 1; multiple <= 9; multiple++)
            {
                double position = decade + Math.Log10(multiple);
                if (position < log10Low - tolerance || position > log10High + tolerance)
                    continue;
                if (multiple == 1 || (labelIntermediates && multiple is 2 or 5))
                    ticks.AddMajor(position, (multiple * Math.Pow(10, decade)).ToString("G3", CultureInfo.InvariantCulture));
                else
                    ticks.AddMinor(position);
            }
        }
        return ticks;
    }
}
