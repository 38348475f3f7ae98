namespace LossLandscape.Core.Surfaces;

/// <summary>
/// The coordinates of a 1D line or 2D grid. Values of a 2D surface are flat, row-major, indexed
/// [y, x]: point <c>row * X.Length + column</c> is at (X[column], Y[row]).
/// </summary>
public sealed record SurfaceGrid(double[] X, double[]? Y)
{
    public bool IsTwoDimensional => Y is not null;

    public int PointCount => X.Length * (Y?.Length ?? 1);

    public (double Alpha, double Beta) Coordinates(int index) =>
        Y is null ? (X[index], 0) : (X[index % X.Length], Y[index / X.Length]);

    /// <summary>Index of the grid point nearest (0, 0).</summary>
    public int NearestToOrigin()
    {
        var column = NearestToZero(X);
        return Y is null ? column : NearestToZero(Y) * X.Length + column;
    }

    /// <summary>
    /// numpy.linspace in float64, operation for operation (i·step + start, last point exactly
    /// <paramref name="stop"/>), so coordinates equal the paper code's files bit for bit.
    /// </summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A grid axis needs at least one point.");
        if (!double.IsFinite(start) || !double.IsFinite(stop)) throw new ArgumentException("Grid ends must be finite numbers.");
        var values = new double[count];
        if (count == 1)
        {
            values[0] = start;
            return values;
        }
        var step = (stop - start) / (count - 1);
        for (var i = 0; i < count; i++) values[i] = step == 0 ? i / (double)(count - 1) * (stop - start) + start : i * step + start;
        values[^1] = stop;
        return values;
    }

    private static int NearestToZero(double[] axis)
    {
        var best = 0;
        for (var i = 1; i < axis.Length; i++)
        {
            if (Math.Abs(axis[i]) < Math.Abs(axis[best])) best = i;
        }
        return best;
    }
}
