using LossLandscape.Core.Data;

namespace LossLandscape.Core.Tests.Data;

public sealed class DeterministicNormalTests
{
    [Fact]
    public void LogAgreesWithTheSystemLibraryToDoublePrecision()
    {
        // Within a few units in the last place: relative 1e-15 (an ulp is 2.2e-16 relative).
        double[] values = [1.0, 0.5, 0.7071067811865476, 1.4142135623730951, 1e-16, 1.0 / (1UL << 53), 0.999999999, 0.3, 2.5, 1e300];
        foreach (var x in values) Assert.Equal(Math.Log(x), DeterministicNormal.Log(x), 1e-15 * Math.Max(1, Math.Abs(Math.Log(x))));
        for (var i = 1; i <= 10_000; i++)
        {
            var x = i / 10_000.0;
            Assert.Equal(Math.Log(x), DeterministicNormal.Log(x), 1e-15 * Math.Max(1, Math.Abs(Math.Log(x))));
        }
    }

    [Fact]
    public void SinCosOfTurnAgreesWithTheSystemLibraryToDoublePrecision()
    {
        for (var i = 0; i < 10_000; i++)
        {
            var turn = i / 10_000.0;
            var (sin, cos) = DeterministicNormal.SinCosOfTurn(turn);
            Assert.Equal(Math.Sin(2 * Math.PI * turn), sin, 1e-15);
            Assert.Equal(Math.Cos(2 * Math.PI * turn), cos, 1e-15);
        }
        Assert.Equal((0.0, 1.0), DeterministicNormal.SinCosOfTurn(0));
        Assert.Equal((-1.0, 0.0), DeterministicNormal.SinCosOfTurn(0.75));
    }

    [Fact]
    public void DrawsAreBoxMullerPairsOfTheSplitMixStream()
    {
        var normal = new DeterministicNormal(42);
        ulong state = 42;
        var u1 = ((DeterministicShuffle.NextUInt64(ref state) >> 11) + 1) / 9007199254740992.0;
        var u2 = (DeterministicShuffle.NextUInt64(ref state) >> 11) / 9007199254740992.0;
        var radius = Math.Sqrt(-2 * Math.Log(u1));
        Assert.Equal(radius * Math.Cos(2 * Math.PI * u2), normal.Next(), 1e-14);
        Assert.Equal(radius * Math.Sin(2 * Math.PI * u2), normal.Next(), 1e-14);
        Assert.Equal(DeterministicShuffle.NextUInt64(ref state), normal.NextUInt64());
    }
}
