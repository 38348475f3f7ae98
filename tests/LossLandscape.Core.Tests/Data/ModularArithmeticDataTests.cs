using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Data;

public sealed class ModularArithmeticDataTests
{
    private static DatasetArrays Load(int p, ModularOperation operation, DatasetSplit split, double fraction = 0.5, long seed = 0) =>
        ModularArithmeticData.Load(new TokenOptions { Modulus = p, Operation = operation, TrainFraction = fraction, SplitSeed = seed }, split);

    [Theory]
    [InlineData(ModularOperation.Add, 97 * 97)]
    [InlineData(ModularOperation.Subtract, 97 * 97)]
    [InlineData(ModularOperation.Multiply, 97 * 97)]
    [InlineData(ModularOperation.Divide, 97 * 96)]
    public void TheTableHasEveryEquationOnceAndEachHolds(ModularOperation operation, int equations)
    {
        const int p = 97;
        var train = Load(p, operation, DatasetSplit.Train);
        var test = Load(p, operation, DatasetSplit.Test);
        Assert.Equal(equations, train.Count + test.Count);
        Assert.Equal((4, 102, 4, 102), (train.SequenceLength, train.ClassCount, test.SequenceLength, test.ClassCount));

        var seen = new HashSet<(long, long)>();
        foreach (var split in new[] { train, test })
        {
            Assert.Equal(split.Count, split.MaskedTargetCount);
            for (var i = 0; i < split.Count; i++)
            {
                var row = split.Tokens!.AsSpan(4 * i, 4).ToArray();
                var targets = split.Labels.AsSpan(4 * i, 4).ToArray();
                long a = row[0], b = row[2], c = targets[3];
                Assert.Equal([p + (long)operation, p + 4], new[] { row[1], row[3] });
                Assert.Equal([-100L, -100L, -100L], targets[..3]);
                Assert.InRange(a, 0, p - 1);
                Assert.InRange(b, operation == ModularOperation.Divide ? 1 : 0, p - 1);
                Assert.InRange(c, 0, p - 1);
                // The equation checked the other way round: c ∘⁻¹ b gives a back, by plain integer arithmetic.
                var holds = operation switch
                {
                    ModularOperation.Add => (c - b - a) % p == 0,
                    ModularOperation.Subtract => (c + b - a) % p == 0,
                    ModularOperation.Multiply => (c - a * b) % p == 0,
                    _ => (c * b - a) % p == 0,
                };
                Assert.True(holds, $"{a} {operation} {b} = {c} (mod {p}) is false");
                Assert.True(seen.Add((a, b)), $"({a}, {b}) appears twice");
            }
        }
    }

    [Theory]
    [InlineData(13, ModularOperation.Divide, 0.3, 46)] // ⌊0.3 · 156⌋ = ⌊46.8⌋
    [InlineData(13, ModularOperation.Add, 0.5, 84)] // ⌊0.5 · 169⌋ = ⌊84.5⌋
    [InlineData(2, ModularOperation.Divide, 0.9, 1)] // 2 equations: ⌊1.8⌋ = 1
    [InlineData(2, ModularOperation.Divide, 0.1, 1)] // ⌊0.2⌋ = 0, raised to 1 so that Train is not empty
    [InlineData(3, ModularOperation.Add, 0.99, 8)] // ⌊8.91⌋ = 8 of 9
    public void TheSplitSizesAreTheFloorKeptWithinOneToAllButOne(int p, ModularOperation operation, double fraction, int trainCount)
    {
        var total = operation == ModularOperation.Divide ? p * (p - 1) : p * p;
        Assert.Equal(trainCount, Load(p, operation, DatasetSplit.Train, fraction).Count);
        Assert.Equal(total - trainCount, Load(p, operation, DatasetSplit.Test, fraction).Count);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBitsAndAnotherSeedAnotherSplit()
    {
        var first = Load(31, ModularOperation.Multiply, DatasetSplit.Train, 0.4, seed: 7);
        var again = Load(31, ModularOperation.Multiply, DatasetSplit.Train, 0.4, seed: 7);
        var other = Load(31, ModularOperation.Multiply, DatasetSplit.Train, 0.4, seed: 8);
        Assert.Equal(first.Tokens, again.Tokens);
        Assert.Equal(first.Labels, again.Labels);
        Assert.Equal(first.Count, other.Count);
        Assert.NotEqual(first.Tokens, other.Tokens);
    }

    [Fact]
    public void TheSplitIsTheSeededPermutationInTableOrder()
    {
        // p = 3, Add: equation k is (a, b) = (k / 3, k % 3); Train is the first ⌊0.5 · 9⌋ = 4 of the permutation, sorted.
        var expected = DeterministicShuffle.Permutation(9, 5).Take(4).Order().ToArray();
        var train = Load(3, ModularOperation.Add, DatasetSplit.Train, 0.5, seed: 5);
        var pairs = Enumerable.Range(0, 4).Select(i => (int)(train.Tokens![4 * i] * 3 + train.Tokens[4 * i + 2])).ToArray();
        Assert.Equal(expected, pairs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(91)] // 7 · 13
    [InlineData(4099)] // a prime, but over the largest modulus
    [InlineData(-5)]
    public void ModuliThatAreNotPrimesOrTooLargeAreRefused(int p)
    {
        var error = Assert.Throws<ArgumentException>(() => Load(p, ModularOperation.Add, DatasetSplit.Train));
        Assert.Contains(p > ModularArithmeticData.MaxModulus ? "too large" : "not a prime", error.Message);
    }

    [Fact]
    public void ANonPrimeNamesThePrimesNearIt() =>
        Assert.Contains("89, 97", Assert.Throws<ArgumentException>(() => Load(91, ModularOperation.Add, DatasetSplit.Train)).Message);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void TrainFractionsOutsideTheOpenIntervalAreRefused(double fraction) =>
        Assert.Contains("TrainFraction", Assert.Throws<ArgumentException>(() => Load(5, ModularOperation.Add, DatasetSplit.Train, fraction)).Message);

    [Fact]
    public void TheCatalogNamesItAndAppliesTheSubsetToEquations()
    {
        var reference = new DatasetReference("modulararithmetic", DatasetSplit.Test, MaxSamples: 10, SubsetSeed: 3);
        var subset = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference);
        var whole = ModularArithmeticData.Load(null, DatasetSplit.Test);
        Assert.Equal(97 * 97 - 97 * 97 / 2, whole.Count);
        Assert.Equal(10, subset.Count);
        var chosen = DeterministicShuffle.Permutation(whole.Count, 3).Take(10).Order().ToArray();
        Assert.Equal(chosen.SelectMany(i => whole.Tokens!.AsSpan(4 * i, 4).ToArray()), subset.Tokens);
        Assert.Equal(chosen.SelectMany(i => whole.Labels.AsSpan(4 * i, 4).ToArray()), subset.Labels);
        Assert.Equal(40 * sizeof(long) * 2, DatasetCache.DecodedBytes(subset));
    }

    [Fact]
    public void TokenOptionsOnAnImageSetAreRefused() =>
        Assert.Contains("token options", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, new DatasetReference("Digits") { Tokens = new TokenOptions { Modulus = 7 } })).Message);
}
