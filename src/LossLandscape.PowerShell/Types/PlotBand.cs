namespace LossLandscape.PowerShell.Types;

/// <summary>The band drawn around the mean curve of several direction draws.</summary>
public enum PlotBand
{
    /// <summary>Mean ± one sample standard deviation.</summary>
    StandardDeviation,

    /// <summary>From the lowest to the highest draw.</summary>
    MinMax,
}
