namespace LossLandscape.Core.Surfaces;

/// <summary>
/// The direction draws of one surface (Get-LossSurface -DirectionCount K): draw k is the same line or
/// plane along the random directions of seed <c>Seed + k</c>, so draw 0 is the surface itself and its
/// grids are also the surface's own. Grids are flat and draw-major: cell c of draw k is at
/// <c>k · CellCount + c</c>, which is the row-major order of the file's (K, ny, nx) datasets.
/// </summary>
/// <param name="Seeds">The direction seed of each draw.</param>
/// <param name="Values">The grids of all draws, keyed like <see cref="SurfaceResult.Values"/>.</param>
/// <param name="Computed">Which cells of which draws are computed.</param>
/// <param name="XCurvature">δᵀHδ along each draw's x direction at θ* (see <see cref="DirectionCurvature"/>); NaN where not computed yet.</param>
/// <param name="YCurvature">The same along each draw's y direction; null for a line.</param>
public sealed record SurfaceMembers(long[] Seeds, IReadOnlyDictionary<string, double[]> Values, bool[] Computed, double[] XCurvature, double[]? YCurvature)
{
    public int Count => Seeds.Length;

    public int CellCount => Computed.Length / Count;

    /// <summary>One draw's grid of <paramref name="key"/>, flat like the surface's own.</summary>
    public double[] Grid(string key, int draw) => Values[key].AsSpan(draw * CellCount, CellCount).ToArray();

    /// <summary>
    /// At each cell, the mean of <paramref name="key"/> over the draws and their sample standard
    /// deviation (divisor K − 1: the spread one more draw would show); NaN where a draw is not computed.
    /// </summary>
    public (double[] Mean, double[] StandardDeviation) Statistics(string key)
    {
        var values = Values[key];
        var cells = CellCount;
        var mean = new double[cells];
        var deviation = new double[cells];
        var column = new double[Count];
        for (var cell = 0; cell < cells; cell++)
        {
            var complete = true;
            for (var draw = 0; draw < Count; draw++)
            {
                complete &= Computed[draw * cells + cell];
                column[draw] = values[draw * cells + cell];
            }
            (mean[cell], deviation[cell]) = complete ? Statistics(column) : (double.NaN, double.NaN);
        }
        return (mean, deviation);
    }

    /// <summary>At each cell, the lowest and the highest value of <paramref name="key"/> over the draws; NaN where a draw is not computed or not a number.</summary>
    public (double[] Min, double[] Max) Range(string key)
    {
        var values = Values[key];
        var cells = CellCount;
        var min = new double[cells];
        var max = new double[cells];
        for (var cell = 0; cell < cells; cell++)
        {
            (min[cell], max[cell]) = (double.PositiveInfinity, double.NegativeInfinity);
            for (var draw = 0; draw < Count; draw++)
            {
                var slot = draw * cells + cell;
                var value = Computed[slot] ? values[slot] : double.NaN;
                min[cell] = double.IsNaN(value) ? double.NaN : Math.Min(min[cell], value);
                max[cell] = double.IsNaN(value) ? double.NaN : Math.Max(max[cell], value);
                if (double.IsNaN(value)) break;
            }
        }
        return (min, max);
    }

    /// <summary>The mean of <paramref name="values"/> and their sample standard deviation (divisor n − 1).</summary>
    public static (double Mean, double StandardDeviation) Statistics(IReadOnlyList<double> values)
    {
        if (values.Count < 2) throw new ArgumentException("A standard deviation needs two or more values.", nameof(values));
        var mean = values.Sum() / values.Count;
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(squares / (values.Count - 1)));
    }

    /// <summary>Checks that the lengths agree with <paramref name="cellCount"/> cells per draw.</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public void Validate(int cellCount)
    {
        if (Seeds.Length < 2) throw new ArgumentException($"Members are two or more direction draws (got {Seeds.Length}).");
        var cells = (long)Seeds.Length * cellCount;
        if (Computed.Length != cells) throw new ArgumentException($"The members' computed mask has {Computed.Length} entries; {Seeds.Length} draws of {cellCount} cells need {cells}.");
        if (Values.FirstOrDefault(v => v.Value.Length != cells) is { Key: { } key, Value: { } wrong })
            throw new ArgumentException($"The members' '{key}' has {wrong.Length} values; {Seeds.Length} draws of {cellCount} cells need {cells}.");
        if (XCurvature.Length != Seeds.Length || (YCurvature is not null && YCurvature.Length != Seeds.Length))
            throw new ArgumentException($"The members' curvatures must hold one value per draw ({Seeds.Length}).");
    }
}
