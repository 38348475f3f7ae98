namespace LossLandscape.Core.Data;

/// <summary>
/// Permutations from a seed, identical on every platform and .NET version (System.Random's
/// sequence is not a documented contract). SplitMix64 drives a Fisher–Yates shuffle.
/// </summary>
public static class DeterministicShuffle
{
    public static int[] Permutation(int count, long seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var state = unchecked((ulong)seed);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(NextUInt64(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>A seed for one of many independent streams (e.g. one per epoch) derived from a base seed.</summary>
    public static long DeriveSeed(long seed, long stream)
    {
        var state = unchecked((ulong)seed ^ ((ulong)stream * 0xD1B54A32D192ED03UL));
        return unchecked((long)NextUInt64(ref state));
    }

    internal static ulong NextUInt64(ref ulong state)
    {
        unchecked
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
