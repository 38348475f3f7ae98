using LossLandscape.Core.Data;

namespace LossLandscape.Core.Tests.Data;

public sealed class DeterministicShuffleTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // Reference values of Vigna's splitmix64.c for the state 1234567.
        ulong state = 1234567;
        Assert.Equal(6457827717110365317UL, DeterministicShuffle.NextUInt64(ref state));
        Assert.Equal(3203168211198807973UL, DeterministicShuffle.NextUInt64(ref state));
        Assert.Equal(9817491932198370423UL, DeterministicShuffle.NextUInt64(ref state));
    }

    [Fact]
    public void PermutationsArePermutationsAndDependOnlyOnTheSeed()
    {
        var a = DeterministicShuffle.Permutation(1000, 42);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.Equal(a, DeterministicShuffle.Permutation(1000, 42));
        Assert.NotEqual(a, DeterministicShuffle.Permutation(1000, 43));
        Assert.NotEqual(DeterministicShuffle.DeriveSeed(1, 1), DeterministicShuffle.DeriveSeed(1, 2));
        Assert.Empty(DeterministicShuffle.Permutation(0, 1));
    }
}
