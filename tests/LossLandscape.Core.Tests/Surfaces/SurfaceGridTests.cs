using System.Globalization;
using System.Text.Json;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

public sealed class SurfaceGridTests
{
    [Fact]
    public void LinspaceEqualsNumpyBitForBit()
    {
        var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Surfaces", "linspace.json"))).RootElement;
        Assert.True(cases.GetArrayLength() >= 5);
        foreach (var c in cases.EnumerateArray())
        {
            var expected = c.GetProperty("values").EnumerateArray().Select(v => ParseHex(v.GetString()!)).ToArray();
            var actual = SurfaceGrid.Linspace(c.GetProperty("start").GetDouble(), c.GetProperty("stop").GetDouble(), c.GetProperty("num").GetInt32());
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void PaperGridHasItsCentreExactlyAtZeroAndIndexesRowMajorYx()
    {
        var x = SurfaceGrid.Linspace(-1, 1, 51);
        Assert.Equal(0.0, x[25]);
        var grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 5), SurfaceGrid.Linspace(-0.5, 0.5, 3));
        Assert.Equal(15, grid.PointCount);
        Assert.Equal(7, grid.NearestToOrigin());
        Assert.Equal((-1.0, 0.0), grid.Coordinates(5));
        Assert.Equal((0.5, 0.5), grid.Coordinates(13));
    }

    // C#'s parser does not read C99 hex floats: sign, 0x1.<13 hex digits>p<exponent>.
    private static double ParseHex(string text)
    {
        var negative = text.StartsWith('-');
        var body = negative ? text[1..] : text;
        var parts = body[2..].Split('p');
        var mantissaParts = parts[0].Split('.');
        var mantissa = long.Parse(mantissaParts[0] + mantissaParts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture) - 4 * mantissaParts[1].Length;
        var value = mantissa * Math.Pow(2, exponent);
        return negative ? -value : value;
    }
}
