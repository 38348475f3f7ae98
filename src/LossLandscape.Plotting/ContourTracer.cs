namespace LossLandscape.Plotting;

/// <summary>
/// Traces contour lines on a rectilinear grid with marching squares, joining the cell segments
/// into polylines.
/// </summary>
/// <remarks>
/// ScottPlot's own ContourLines triangulates the points as an irregular network, which is neither
/// exact on a grid nor able to skip NaN points; here a cell with a NaN (or −∞) corner simply has no
/// lines, and +∞ counts as higher than every level.
/// </remarks>
internal static class ContourTracer
{
    /// <summary>Stands in for +∞ so interpolation along an edge stays finite.</summary>
    private const double Ceiling = double.MaxValue / 4;

    public static List<ContourLine> Trace(double[] x, double[] y, double[,] values, IEnumerable<double> levels)
    {
        double[,] grid = Sanitize(values);
        var lines = new List<ContourLine>();
        foreach (double level in levels)
            lines.AddRange(TraceLevel(x, y, grid, level));
        return lines;
    }

    private static double[,] Sanitize(double[,] values)
    {
        var grid = new double[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < grid.GetLength(0); i++)
        {
            for (int j = 0; j < grid.GetLength(1); j++)
            {
                double v = values[i, j];
                grid[i, j] = double.IsNaN(v) || double.IsNegativeInfinity(v) ? double.NaN : Math.Min(v, Ceiling);
            }
        }
        return grid;
    }

    private static List<ContourLine> TraceLevel(double[] x, double[] y, double[,] grid, double level)
    {
        int rows = grid.GetLength(0);
        int columns = grid.GetLength(1);
        var crossings = new Dictionary<long, (double X, double Y)>();
        var neighbours = new Dictionary<long, List<long>>();

        // Edges are keyed by the grid point they start from: the horizontal one going to +x and the
        // vertical one going to +y, so the two cells sharing an edge agree on its key.
        long Horizontal(int i, int j) => ((long)i * columns + j) * 2;
        long Vertical(int i, int j) => ((long)i * columns + j) * 2 + 1;

        void Connect(long a, long b)
        {
            AddNeighbour(a, b);
            AddNeighbour(b, a);
        }

        void AddNeighbour(long from, long to)
        {
            if (!neighbours.TryGetValue(from, out List<long>? list))
                neighbours[from] = list = new List<long>(2);
            list.Add(to);
        }

        for (int i = 0; i < rows - 1; i++)
        {
            for (int j = 0; j < columns - 1; j++)
            {
                double lowerLeft = grid[i, j], lowerRight = grid[i, j + 1];
                double upperLeft = grid[i + 1, j], upperRight = grid[i + 1, j + 1];
                if (double.IsNaN(lowerLeft) || double.IsNaN(lowerRight) || double.IsNaN(upperLeft) || double.IsNaN(upperRight))
                    continue;

                bool lowerLeftAbove = lowerLeft > level, lowerRightAbove = lowerRight > level;
                bool upperLeftAbove = upperLeft > level, upperRightAbove = upperRight > level;

                long bottom = Horizontal(i, j), top = Horizontal(i + 1, j);
                long left = Vertical(i, j), right = Vertical(i, j + 1);
                var cellEdges = new List<long>(4);
                if (lowerLeftAbove != lowerRightAbove)
                {
                    crossings[bottom] = (Interpolate(x[j], x[j + 1], lowerLeft, lowerRight, level), y[i]);
                    cellEdges.Add(bottom);
                }
                if (lowerRightAbove != upperRightAbove)
                {
                    crossings[right] = (x[j + 1], Interpolate(y[i], y[i + 1], lowerRight, upperRight, level));
                    cellEdges.Add(right);
                }
                if (upperLeftAbove != upperRightAbove)
                {
                    crossings[top] = (Interpolate(x[j], x[j + 1], upperLeft, upperRight, level), y[i + 1]);
                    cellEdges.Add(top);
                }
                if (lowerLeftAbove != upperLeftAbove)
                {
                    crossings[left] = (x[j], Interpolate(y[i], y[i + 1], lowerLeft, upperLeft, level));
                    cellEdges.Add(left);
                }

                if (cellEdges.Count == 2)
                {
                    Connect(cellEdges[0], cellEdges[1]);
                }
                else if (cellEdges.Count == 4)
                {
                    // Saddle: the cell centre decides which diagonal pair stays connected; the
                    // corners on the other side of the level are cut off one by one.
                    bool centreAbove = (lowerLeft + lowerRight + upperLeft + upperRight) / 4 > level;
                    if (lowerLeftAbove != centreAbove) Connect(left, bottom);
                    if (lowerRightAbove != centreAbove) Connect(bottom, right);
                    if (upperLeftAbove != centreAbove) Connect(left, top);
                    if (upperRightAbove != centreAbove) Connect(top, right);
                }
            }
        }

        return Join(level, crossings, neighbours);
    }

    private static double Interpolate(double start, double end, double startValue, double endValue, double level) =>
        start + (end - start) * ((level - startValue) / (endValue - startValue));

    private static List<ContourLine> Join(
        double level, Dictionary<long, (double X, double Y)> crossings, Dictionary<long, List<long>> neighbours)
    {
        var lines = new List<ContourLine>();
        var visited = new HashSet<long>();

        // Open lines (ending at the border or at a NaN cell) first, from one of their ends, so
        // they are not cut in two; whatever is left afterwards is closed loops.
        IEnumerable<long> starts = neighbours.Where(n => n.Value.Count == 1).Select(n => n.Key)
            .Concat(neighbours.Keys);
        foreach (long start in starts)
        {
            if (visited.Contains(start))
                continue;

            var chain = new List<long> { start };
            visited.Add(start);
            long current = start;
            while (true)
            {
                long next = neighbours[current].FirstOrDefault(n => !visited.Contains(n), -1);
                if (next < 0)
                    break;
                chain.Add(next);
                visited.Add(next);
                current = next;
            }
            if (chain.Count > 2 && neighbours[current].Contains(start))
                chain.Add(start);

            if (chain.Count >= 2)
            {
                lines.Add(new ContourLine(
                    level,
                    chain.Select(k => crossings[k].X).ToArray(),
                    chain.Select(k => crossings[k].Y).ToArray()));
            }
        }
        return lines;
    }
}
