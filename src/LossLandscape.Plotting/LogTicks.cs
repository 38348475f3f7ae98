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
        foreach ((double position, string? label) in Compute(log10Low, log10High))
        {
            if (label is null)
                ticks.AddMinor(position);
            else
                ticks.AddMajor(position, label);
        }
        return ticks;
    }

    /// <summary>The tick positions in log10 units, each with its label in value units, or none for a minor tick.</summary>
    public static List<(double Position, string? Label)> Compute(double log10Low, double log10High)
    {
        var ticks = new List<(double, string?)>();
        bool labelIntermediates = log10High - log10Low <= DecadesWithIntermediateLabels;
        const double tolerance = 1e-9;
        for (int decade = (int)Math.Floor(log10Low); decade <= (int)Math.Ceiling(log10High); decade++)
        {
            for (int multiple = 1; multiple <= 9; multiple++)
            {
                double position = decade + Math.Log10(multiple);
                if (position < log10Low - tolerance || position > log10High + tolerance)
                    continue;
                bool major = multiple == 1 || (labelIntermediates && multiple is 2 or 5);
                ticks.Add((position, major ? (multiple * Math.Pow(10, decade)).ToString("G3", CultureInfo.InvariantCulture) : null));
            }
        }
        return ticks;
    }
}
