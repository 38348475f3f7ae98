namespace LossLandscape.Plotting;

/// <summary>
/// How a surface becomes a ParaView polygon mesh; the options of the paper's <c>h52vtp.py</c>,
/// applied in its order: interpolate, then clip, then take the log.
/// </summary>
public sealed record VtpOptions
{
    /// <summary>
    /// Values above this are lowered to it (the paper's <c>--zmax</c>); null keeps every value,
    /// as the paper's default −1 does.
    /// </summary>
    public double? ZMax { get; init; }

    /// <summary>Writes ln(value + 0.1) instead of the value, as the paper's <c>--log</c> does.</summary>
    public bool Log { get; init; }

    /// <summary>
    /// Splits every grid cell into Interpolate × Interpolate cells, the new points filled in by bilinear
    /// interpolation; 1 keeps the grid as it is. The paper's <c>--interp N</c> resamples to N × N points with
    /// a cubic spline instead; bilinear interpolation never overshoots, so it adds no minima that the
    /// data does not have, and it keeps every original point exactly. A grid of n points per axis
    /// becomes (n − 1) · Interpolate + 1 points per axis.
    /// </summary>
    public int Interpolate { get; init; } = 1;
}
