namespace LossLandscape.Plotting.Tests;

/// <summary>Small known surfaces and curves on evenly spaced grids.</summary>
internal static class Surfaces
{
    public static double[] Linspace(double start, double end, int count) =>
        Enumerable.Range(0, count).Select(k => start + (end - start) * k / (count - 1)).ToArray();

    /// <summary>values[i, j] = f(X[j], Y[i]), the library's [y, x] convention.</summary>
    public static SurfacePlotData Grid(Func<double, double, double> f, int count = 21)
    {
        double[] axis = Linspace(-1, 1, count);
        var values = new double[count, count];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < count; j++)
                values[i, j] = f(axis[j], axis[i]);
        return new SurfacePlotData(axis, axis, values);
    }

    /// <summary>x² + y² scaled to reach 8 in the corners: minimum 0 at the origin.</summary>
    public static SurfacePlotData Bowl(int count = 21) => Grid((x, y) => 4 * (x * x + y * y), count);

    public static CurvePlotData Parabola(bool withTest)
    {
        double[] x = Linspace(-1, 1, 41);
        double[] loss = x.Select(a => 0.1 + 3 * a * a).ToArray();
        double[] accuracy = loss.Select(l => 100 * Math.Exp(-l)).ToArray();
        return withTest
            ? new CurvePlotData(x, loss, accuracy, loss.Select(l => l + 0.3).ToArray(), accuracy.Select(a => a * 0.9).ToArray())
            : new CurvePlotData(x, loss, accuracy);
    }
}
