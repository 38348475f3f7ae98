namespace LossLandscape.Core.Alignment;

/// <summary>An optimal assignment: row i goes to column <see cref="ColumnOfRow"/>[i].</summary>
/// <param name="Total">Σ cost[i, ColumnOfRow[i]] of the input costs (not negated when maximizing), summed in row order.</param>
public sealed record LinearAssignmentResult(int[] ColumnOfRow, double Total)
{
    /// <summary>
    /// Reduced costs the shortest-path searches evaluated: the solver's inner-loop steps. At least n²
    /// (each of the n searches scans every column once) and at most n²(n + 1) / 2, which is what makes
    /// the algorithm O(n³); a deterministic measure of work where a time would depend on the machine.
    /// </summary>
    internal long ScanSteps { get; init; }
}

/// <summary>
/// Exact square linear assignment on float64 costs: the shortest-augmenting-path Jonker–Volgenant
/// method in the form of Crouse (2016), "On implementing 2D rectangular assignment algorithms",
/// which scipy's <c>linear_sum_assignment</c> implements. One augmentation per row, each a
/// Dijkstra search over reduced costs with the dual variables u, v kept feasible; O(n³) time, O(n)
/// memory beside the costs. A 512×512 uniform random problem took 64–71 ms here, scipy 1.10's 53–58 ms,
/// with the same assignment (bench/README.md, <c>assignment</c>).
/// </summary>
/// <remarks>
/// Only square problems: weight matching permutes n units onto n units, and a rectangular input there
/// would be a bug to report, not an injection to compute.
/// </remarks>
public static class LinearAssignment
{
    /// <summary>
    /// The largest |cost| accepted. The duals and path lengths are sums of a few costs per row; far
    /// below float64's 1.8e308 they cannot overflow to ∞, where a comparison would silently go wrong.
    /// </summary>
    public const double MaximumMagnitude = 1e250;

    /// <param name="costs">n×n, n ≥ 1, every value finite and within ±<see cref="MaximumMagnitude"/>.</param>
    /// <param name="maximize">Maximize the total (weight matching maximizes similarity); solved as the minimum of the negated costs.</param>
    /// <exception cref="ArgumentException">Empty or non-square, or a NaN, infinite or larger than <see cref="MaximumMagnitude"/> cost (named by its row and column).</exception>
    public static LinearAssignmentResult Solve(double[,] costs, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var n = costs.GetLength(0);
        if (n == 0 || costs.GetLength(1) == 0)
            throw new ArgumentException($"The cost matrix is empty ({costs.GetLength(0)}×{costs.GetLength(1)}): there is nothing to assign.", nameof(costs));
        if (costs.GetLength(1) != n)
            throw new ArgumentException($"The cost matrix is {n}×{costs.GetLength(1)}; only square problems are solved.", nameof(costs));

        var flat = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var value = costs[i, j];
                if (!double.IsFinite(value))
                    throw new ArgumentException($"The cost at row {i}, column {j} is {value}; every cost must be a finite number.", nameof(costs));
                if (Math.Abs(value) > MaximumMagnitude)
                    throw new ArgumentException($"The cost at row {i}, column {j} is {value}; costs beyond ±{MaximumMagnitude:G} would overflow the dual sums.", nameof(costs));
                flat[i * n + j] = maximize ? -value : value;
            }
        }

        var (columnOfRow, steps) = Minimize(flat, n);
        var total = 0.0;
        for (var i = 0; i < n; i++) total += costs[i, columnOfRow[i]];
        return new LinearAssignmentResult(columnOfRow, total) { ScanSteps = steps };
    }

    private static (int[] ColumnOfRow, long Steps) Minimize(double[] cost, int n)
    {
        var u = new double[n];
        var v = new double[n];
        var shortestPathCosts = new double[n];
        var path = new int[n];
        var columnOfRow = new int[n];
        var rowOfColumn = new int[n];
        var rowScanned = new bool[n];
        var columnScanned = new bool[n];
        var remaining = new int[n];
        Array.Fill(columnOfRow, -1);
        Array.Fill(rowOfColumn, -1);
        long steps = 0;

        for (var currentRow = 0; currentRow < n; currentRow++)
        {
            var (sink, minimum) = ShortestAugmentingPath(cost, n, u, v, path, rowOfColumn, shortestPathCosts, currentRow, rowScanned, columnScanned, remaining, ref steps);

            // Dual update: keeps every reduced cost non-negative and those on the new matching zero.
            u[currentRow] += minimum;
            for (var i = 0; i < n; i++)
            {
                if (rowScanned[i] && i != currentRow) u[i] += minimum - shortestPathCosts[columnOfRow[i]];
            }
            for (var j = 0; j < n; j++)
            {
                if (columnScanned[j]) v[j] -= minimum - shortestPathCosts[j];
            }

            // Flip the matching along the path back from the sink to the current row.
            var column = sink;
            while (true)
            {
                var row = path[column];
                rowOfColumn[column] = row;
                (columnOfRow[row], column) = (column, columnOfRow[row]);
                if (row == currentRow) break;
            }
        }
        return (columnOfRow, steps);
    }

    /// <returns>The free column the shortest path ends at, and that path's length.</returns>
    private static (int Sink, double Minimum) ShortestAugmentingPath(
        double[] cost, int n, double[] u, double[] v, int[] path, int[] rowOfColumn, double[] shortestPathCosts,
        int row, bool[] rowScanned, bool[] columnScanned, int[] remaining, ref long steps)
    {
        var minimum = 0.0;
        // Filled in reverse, as scipy does, so that ties break towards the same columns as there.
        var remainingCount = n;
        for (var k = 0; k < n; k++) remaining[k] = n - k - 1;
        Array.Clear(rowScanned);
        Array.Clear(columnScanned);
        Array.Fill(shortestPathCosts, double.PositiveInfinity);

        while (true)
        {
            var index = -1;
            var lowest = double.PositiveInfinity;
            rowScanned[row] = true;
            var rowOffset = row * n;
            for (var k = 0; k < remainingCount; k++)
            {
                var j = remaining[k];
                var reduced = minimum + cost[rowOffset + j] - u[row] - v[j];
                if (reduced < shortestPathCosts[j])
                {
                    path[j] = row;
                    shortestPathCosts[j] = reduced;
                }
                // Among equally short columns prefer a free one: the search ends sooner.
                if (shortestPathCosts[j] < lowest || (shortestPathCosts[j] == lowest && rowOfColumn[j] == -1))
                {
                    lowest = shortestPathCosts[j];
                    index = k;
                }
            }
            steps += remainingCount;

            // Finite costs keep every reduced cost finite, so a column is always found.
            minimum = lowest;
            var column = remaining[index];
            columnScanned[column] = true;
            remaining[index] = remaining[--remainingCount];
            if (rowOfColumn[column] == -1) return (column, minimum);
            row = rowOfColumn[column];
        }
    }
}
