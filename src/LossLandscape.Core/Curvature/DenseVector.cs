namespace LossLandscape.Core.Curvature;

/// <summary>The few float64 vector operations the Krylov methods need, on managed arrays.</summary>
internal static class DenseVector
{
    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    /// <summary>y ← y + scale·x.</summary>
    public static void AddScaled(double[] y, double scale, double[] x)
    {
        for (var i = 0; i < y.Length; i++) y[i] += scale * x[i];
    }

    public static void Scale(double[] a, double scale)
    {
        for (var i = 0; i < a.Length; i++) a[i] *= scale;
    }

    /// <summary>Checks an operator's answer before it enters a recurrence, where one NaN would spread silently.</summary>
    public static void EnsureOperatorResult(double[] result, int dimension)
    {
        if (result is null || result.Length != dimension)
            throw new InvalidOperationException($"The operator returned {result?.Length.ToString() ?? "null"} values for a vector of dimension {dimension}.");
        for (var i = 0; i < result.Length; i++)
        {
            if (!double.IsFinite(result[i])) throw new InvalidOperationException($"The operator returned a non-finite value at index {i}.");
        }
    }
}
