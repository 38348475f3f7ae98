namespace LossLandscape.Core.Data;

/// <summary>
/// Standard normal draws from a SplitMix64 stream by the Box–Muller transform in float64, identical on
/// every platform. Math.Log, Math.Sin and Math.Cos come from the platform's C library and may differ in
/// the last bit between operating systems, so this class evaluates them with its own polynomials built
/// only from IEEE-754 operations that are correctly rounded everywhere (+, −, ×, ÷, √).
/// </summary>
public sealed class DeterministicNormal(long seed)
{
    private const double Ln2 = 0.693147180559945309417232121458176568;
    private const double HalfPi = 1.57079632679489661923132169163975144;
    private const double TwoToMinus53 = 1.0 / (1UL << 53);

    private ulong state = unchecked((ulong)seed);
    private double? spare;

    /// <summary>The next 64 random bits of the stream (also the source of anything drawn alongside the normals).</summary>
    public ulong NextUInt64() => DeterministicShuffle.NextUInt64(ref state);

    /// <summary>
    /// The next standard normal. Draws come in pairs from two uniforms, u1 in (0, 1] and u2 in [0, 1):
    /// r·cos(2πu2), then r·sin(2πu2), with r = √(−2 ln u1).
    /// </summary>
    public double Next()
    {
        if (spare is { } second)
        {
            spare = null;
            return second;
        }
        var u1 = ((NextUInt64() >> 11) + 1) * TwoToMinus53;
        var u2 = (NextUInt64() >> 11) * TwoToMinus53;
        var radius = Math.Sqrt(-2.0 * Log(u1));
        var (sin, cos) = SinCosOfTurn(u2);
        spare = radius * sin;
        return radius * cos;
    }

    /// <summary>
    /// ln x for a positive normal double x: x = m·2^e with m in [√½, √2), then ln m = 2·atanh(s) with s = (m − 1)/(m + 1),
    /// |s| ≤ 0.172, whose odd series reaches double precision by s^23.
    /// </summary>
    internal static double Log(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        var mantissa = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (mantissa > 1.4142135623730951)
        {
            mantissa *= 0.5;
            exponent++;
        }
        var s = (mantissa - 1.0) / (mantissa + 1.0);
        var s2 = s * s;
        var series = 0.0;
        for (var k = 23; k >= 3; k -= 2) series = (series + 1.0 / k) * s2;
        return exponent * Ln2 + 2.0 * s * (1.0 + series);
    }

    /// <summary>
    /// sin and cos of 2π·turn for turn in [0, 1). Reducing in turns (exact in binary) rather than radians
    /// needs no π to high precision: turn·4 = q + f with q a whole quadrant and |f| ≤ ½, then the Taylor
    /// series of sin and cos at f·π/2 (|angle| ≤ π/4) reach double precision by degree 21.
    /// </summary>
    internal static (double Sin, double Cos) SinCosOfTurn(double turn)
    {
        var quarters = turn * 4.0;
        var quadrant = Math.Round(quarters, MidpointRounding.ToEven);
        var angle = (quarters - quadrant) * HalfPi;
        var a2 = angle * angle;
        double sinSeries = 0.0, cosSeries = 0.0;
        for (var k = 21; k >= 3; k -= 2) sinSeries = (sinSeries + 1.0) * -a2 / (k * (k - 1));
        for (var k = 22; k >= 2; k -= 2) cosSeries = (cosSeries + 1.0) * -a2 / (k * (k - 1));
        var sin = angle * (1.0 + sinSeries);
        var cos = 1.0 + cosSeries;
        return ((int)quadrant & 3) switch
        {
            0 => (sin, cos),
            1 => (cos, -sin),
            2 => (-sin, -cos),
            _ => (-cos, sin),
        };
    }
}
