using LossLandscape.Core.Connectivity;

namespace LossLandscape.Core.Tests.Connectivity;

public sealed class PathBarrierTests
{
    private static readonly double[] Halves = [0, 0.5, 1];

    [Fact]
    public void ABumpBetweenUnequalEndsRisesAboveTheChordAndAboveTheirMean()
    {
        // Chord at t = 0.5: (1 + 2) / 2 = 1.5, so the rise is 3 − 1.5 = 1.5; the mean of the ends is also 1.5.
        Assert.Equal(new BarrierValue(1.5, 0.5), PathBarrier.AboveChord(Halves, [1, 3, 2]));
        Assert.Equal(new BarrierValue(1.5, 0.5), PathBarrier.AboveMeanOfEnds(Halves, [1, 3, 2]));
        // Four points: the chord from 0 to 4 rises by 4/3 per third; values 0, 3, 1, 4 sit 3 − 4/3 = 5/3 and 1 − 8/3 above it.
        double[] thirds = [0, 1.0 / 3, 2.0 / 3, 1];
        Assert.Equal(5.0 / 3, PathBarrier.AboveChord(thirds, [0, 3, 1, 4]).Height, 1e-15);
        Assert.Equal(1.0 / 3, PathBarrier.AboveChord(thirds, [0, 3, 1, 4]).T);
        Assert.Equal(new BarrierValue(2, 1), PathBarrier.AboveMeanOfEnds(thirds, [0, 3, 1, 4]));
    }

    [Fact]
    public void AMonotonePathHasNoBarrierAboveTheChordButOneAboveTheMeanAtItsHigherEnd()
    {
        // 1.2 lies below the chord's 2 at t = 0.5; the ends themselves lie on it: the first maximum, t = 0, wins.
        Assert.Equal(new BarrierValue(0, 0), PathBarrier.AboveChord(Halves, [1, 1.2, 3]));
        Assert.Equal(new BarrierValue(1, 1), PathBarrier.AboveMeanOfEnds(Halves, [1, 1.2, 3]));
    }

    [Fact]
    public void EqualEndsAndAFlatPathGiveExactlyZero()
    {
        double[] flat = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
        var t = LossLandscape.Core.Surfaces.SurfaceGrid.Linspace(0, 1, flat.Length);
        Assert.Equal(new BarrierValue(0, 0), PathBarrier.AboveChord(t, flat));
        Assert.Equal(new BarrierValue(0, 0), PathBarrier.AboveMeanOfEnds(t, flat));
    }

    [Fact]
    public void ANonFiniteValueMakesTheBarrierUndefinedAndABadPathIsRefused()
    {
        Assert.True(double.IsNaN(PathBarrier.AboveChord(Halves, [1, double.NaN, 2]).Height));
        Assert.True(double.IsNaN(PathBarrier.AboveMeanOfEnds(Halves, [1, double.PositiveInfinity, 2]).T));
        Assert.Throws<ArgumentException>(() => PathBarrier.AboveChord([0, 0.5, 0.9], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => PathBarrier.AboveChord(Halves, [1, 2]));
    }
}
