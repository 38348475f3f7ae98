using LossLandscape.Core.Alignment;
using LossLandscape.Core.Data;

namespace LossLandscape.Core.Tests.Alignment;

public sealed class LinearAssignmentTests
{
    [Fact]
    public void OneThousandRandom8By8ProblemsReachTheBruteForceOptimum()
    {
        var permutations = AllPermutations(8);
        Assert.Equal(40320, permutations.Count);
        for (var problem = 0; problem < 1000; problem++)
        {
            var costs = RandomCosts(8, DeterministicShuffle.DeriveSeed(2016, problem));
            var (best, bestPermutation, _) = BruteForce(costs, permutations, maximize: false);
            var result = LinearAssignment.Solve(costs);

            AssertPermutation(result.ColumnOfRow);
            Assert.Equal(Total(costs, result.ColumnOfRow), result.Total);
            // Continuous random costs have one optimum: the assignment itself must be the brute force's.
            Assert.Equal(bestPermutation, result.ColumnOfRow);
            Assert.Equal(best, result.Total, 1e-12);
        }
    }

    [Fact]
    public void MaximizingReachesTheBruteForceMaximum()
    {
        var permutations = AllPermutations(8);
        for (var problem = 0; problem < 200; problem++)
        {
            var costs = RandomCosts(8, DeterministicShuffle.DeriveSeed(23, problem));
            var (best, bestPermutation, _) = BruteForce(costs, permutations, maximize: true);
            var result = LinearAssignment.Solve(costs, maximize: true);
            Assert.Equal(bestPermutation, result.ColumnOfRow);
            Assert.Equal(best, result.Total, 1e-12);
        }
    }

    [Fact]
    public void IntegerCostsWithManyTiesReachTheBruteForceOptimumExactly()
    {
        var permutations = AllPermutations(8);
        var optimaWithTies = 0;
        for (var problem = 0; problem < 300; problem++)
        {
            var state = (ulong)DeterministicShuffle.DeriveSeed(5, problem);
            var costs = new double[8, 8];
            // Values 0..3: most problems have several optimal assignments.
            for (var i = 0; i < 8; i++)
                for (var j = 0; j < 8; j++) costs[i, j] = DeterministicShuffle.NextUInt64(ref state) % 4;
            foreach (var maximize in new[] { false, true })
            {
                var (best, _, optima) = BruteForce(costs, permutations, maximize);
                if (optima > 1) optimaWithTies++;
                var result = LinearAssignment.Solve(costs, maximize);
                AssertPermutation(result.ColumnOfRow);
                Assert.Equal(best, result.Total);
            }
        }
        Assert.True(optimaWithTies > 500, $"only {optimaWithTies} of 600 problems had tied optima");
    }

    [Fact]
    public void HandComputedThreeByThree()
    {
        // scipy's docstring example: rows 0, 1, 2 take columns 1, 0, 2 for a total of 1 + 2 + 2 = 5.
        var costs = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        var result = LinearAssignment.Solve(costs);
        Assert.Equal([1, 0, 2], result.ColumnOfRow);
        Assert.Equal(5.0, result.Total);
        Assert.Equal([0], LinearAssignment.Solve(new double[,] { { -7.5 } }).ColumnOfRow);
    }

    [Fact]
    public void A512By512ProblemStaysWithinTheCubicStepBound()
    {
        const int n = 512;
        var costs = RandomCosts(n, 512);
        var result = LinearAssignment.Solve(costs, maximize: true);
        AssertPermutation(result.ColumnOfRow);

        // Every one of the n searches scans all n columns at least once, and at most n + (n−1) + … + 1 in all.
        Assert.InRange(result.ScanSteps, (long)n * n, (long)n * n * (n + 1) / 2);
        // Optimal duals certify the optimum: no single swap of two rows' columns can raise the total.
        for (var a = 0; a < n; a += 7)
        {
            for (var b = a + 1; b < n; b += 5)
            {
                var gain = costs[a, result.ColumnOfRow[b]] + costs[b, result.ColumnOfRow[a]] - costs[a, result.ColumnOfRow[a]] - costs[b, result.ColumnOfRow[b]];
                Assert.True(gain <= 1e-12, $"swapping rows {a} and {b} gains {gain}");
            }
        }
    }

    [Fact]
    public void TheSameCostsGiveTheSameAssignment()
    {
        var costs = RandomCosts(64, 9);
        Assert.Equal(LinearAssignment.Solve(costs).ColumnOfRow, LinearAssignment.Solve((double[,])costs.Clone()).ColumnOfRow);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e251)]
    public void NonFiniteOrHugeCostsAreRefusedByPosition(double bad)
    {
        var costs = RandomCosts(4, 1);
        costs[2, 3] = bad;
        var error = Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(costs));
        Assert.Contains("row 2, column 3", error.Message);
    }

    [Fact]
    public void EmptyAndNonSquareMatricesAreRefused()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(new double[0, 0])).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(new double[0, 3])).Message);
        Assert.Contains("2×3", Assert.Throws<ArgumentException>(() => LinearAssignment.Solve(new double[2, 3])).Message);
    }

    private static double[,] RandomCosts(int n, long seed)
    {
        var state = (ulong)seed;
        var costs = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) costs[i, j] = (DeterministicShuffle.NextUInt64(ref state) >> 11) * (1.0 / (1UL << 53)) * 2 - 1;
        return costs;
    }

    private static double Total(double[,] costs, int[] columnOfRow)
    {
        var total = 0.0;
        for (var i = 0; i < columnOfRow.Length; i++) total += costs[i, columnOfRow[i]];
        return total;
    }

    private static (double Best, int[] Permutation, int Optima) BruteForce(double[,] costs, List<int[]> permutations, bool maximize)
    {
        var best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
        int[] bestPermutation = [];
        var optima = 0;
        foreach (var permutation in permutations)
        {
            var total = Total(costs, permutation);
            if (total == best) optima++;
            if (maximize ? total > best : total < best)
            {
                best = total;
                bestPermutation = permutation;
                optima = 1;
            }
        }
        return (best, bestPermutation, optima);
    }

    /// <summary>Heap's algorithm, iterative.</summary>
    private static List<int[]> AllPermutations(int n)
    {
        var current = Enumerable.Range(0, n).ToArray();
        var counters = new int[n];
        var all = new List<int[]> { (int[])current.Clone() };
        var i = 1;
        while (i < n)
        {
            if (counters[i] < i)
            {
                var swapWith = i % 2 == 0 ? 0 : counters[i];
                (current[swapWith], current[i]) = (current[i], current[swapWith]);
                all.Add((int[])current.Clone());
                counters[i]++;
                i = 1;
            }
            else
            {
                counters[i] = 0;
                i++;
            }
        }
        return all;
    }

    private static void AssertPermutation(int[] columnOfRow) =>
        Assert.Equal(Enumerable.Range(0, columnOfRow.Length), columnOfRow.Order());
}
