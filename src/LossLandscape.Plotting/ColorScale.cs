namespace LossLandscape.Plotting;

/// <summary>
/// Maps values to the viridis colour map between <see cref="Min"/> and <see cref="Max"/>, clipping
/// beyond, linearly or by log10: the one scale the 3D surface, the panels and their colour bar share.
/// </summary>
internal sealed record ColorScale(double Min, double Max, bool Log)
{
    private static readonly ScottPlot.Colormaps.Viridis Colormap = new();

    /// <summary>The clipped value on the colour axis (log10 when <see cref="Log"/>); NaN for NaN and −∞.</summary>
    public double ToAxis(double value)
    {
        if (double.IsNaN(value) || double.IsNegativeInfinity(value))
            return double.NaN;
        double clipped = Math.Clamp(value, Min, Max);
        return Log ? Math.Log10(clipped) : clipped;
    }

    public double AxisLow => Log ? Math.Log10(Min) : Min;

    public double AxisHigh => Log ? Math.Log10(Max) : Max;

    /// <summary>Where a colour-axis value lies between the bottom (0) and the top (1) of the scale.</summary>
    public double Fraction(double axisValue) => (axisValue - AxisLow) / (AxisHigh - AxisLow);

    public SkiaSharp.SKColor ColorAtFraction(double fraction) => Colormap.GetColor(Math.Clamp(fraction, 0, 1)).ToSKColor();
}
