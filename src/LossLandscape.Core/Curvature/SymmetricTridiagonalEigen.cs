namespace LossLandscape.Core.Curvature;

/// <summary>
/// Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the implicit QL method (the
/// EISPACK tql2 algorithm). Managed, so the Krylov methods run on any operator without libtorch and
/// give the same answer on every platform.
/// </summary>
internal static class SymmetricTridiagonalEigen
{
    /// <param name="diagonal">The n diagonal entries.</param>
    /// <param name="offDiagonal">The n − 1 entries coupling i and i + 1.</param>
    /// <returns>Eigenvalues ascending; <c>Vectors[row, column]</c> holds eigenvector <c>column</c>.</returns>
    public static (double[] Values, double[,] Vectors) Solve(IReadOnlyList<double> diagonal, IReadOnlyList<double> offDiagonal)
    {
        var n = diagonal.Count;
        if (offDiagonal.Count < n - 1) throw new ArgumentException("A tridiagonal matrix of order n needs n − 1 off-diagonal entries.", nameof(offDiagonal));
        var d = diagonal.ToArray();
        var e = new double[n];
        for (var i = 0; i < n - 1; i++) e[i] = offDiagonal[i];
        var v = new double[n, n];
        for (var i = 0; i < n; i++) v[i, i] = 1.0;

        var eps = Math.Pow(2.0, -52.0);
        double shiftSum = 0, scale = 0;
        for (var l = 0; l < n; l++)
        {
            scale = Math.Max(scale, Math.Abs(d[l]) + Math.Abs(e[l]));
            var m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * scale) m++;
            if (m > l)
            {
                var sweeps = 0;
                do
                {
                    if (++sweeps > 60) throw new InvalidOperationException("The tridiagonal QL iteration did not converge.");
                    var g = d[l];
                    var p = (d[l + 1] - g) / (2.0 * e[l]);
                    var r = Hypot(p, 1.0);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    var dl1 = d[l + 1];
                    var h = g - d[l];
                    for (var i = l + 2; i < n; i++) d[i] -= h;
                    shiftSum += h;

                    p = d[m];
                    double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
                    var el1 = e[l + 1];
                    for (var i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (var k = 0; k < n; k++)
                        {
                            h = v[k, i + 1];
                            v[k, i + 1] = s * v[k, i] + c * h;
                            v[k, i] = c * v[k, i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * scale);
            }
            d[l] += shiftSum;
            e[l] = 0;
        }

        var order = Enumerable.Range(0, n).OrderBy(i => d[i]).ToArray();
        var values = new double[n];
        var vectors = new double[n, n];
        for (var column = 0; column < n; column++)
        {
            values[column] = d[order[column]];
            for (var row = 0; row < n; row++) vectors[row, column] = v[row, order[column]];
        }
        return (values, vectors);
    }

    private static double Hypot(double a, double b)
    {
        double absA = Math.Abs(a), absB = Math.Abs(b);
        if (absA > absB) return absA * Math.Sqrt(1 + (b / a) * (b / a));
        return absB == 0 ? 0 : absB * Math.Sqrt(1 + (a / b) * (a / b));
    }
}
