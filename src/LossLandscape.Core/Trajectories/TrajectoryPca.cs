using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace LossLandscape.Core.Trajectories;

/// <summary>
/// PCA of a training trajectory (paper §7): rows θ_i − θ_ref over the parameters (tensors of dim ≤ 1
/// zeroed unless included), mean-centred as scikit-learn's PCA does, decomposed through the n×n Gram
/// matrix (never a full SVD): eigh of M Mᵀ, then V = Mᵀ U / s. Everything is accumulated in float64
/// over column blocks, so memory stays at n rows of float32 plus one block.
/// </summary>
public static class TrajectoryPca
{
    // 4,096 float64 columns × 100 rows ≈ 3 MB: a block stays in cache while all row pairs use it.
    private const int BlockColumns = 1 << 12;

    /// <param name="rows">θ_i − θ_ref, one float32 row per checkpoint, already masked.</param>
    /// <param name="components">How many explained-variance ratios to report (1 ≤ k ≤ n − 1).</param>
    /// <returns>Ratios for k components, singular values, and the leading (≤ 2) unit components with variance, sign-fixed.</returns>
    public static (double[] Ratios, double[] SingularValues, double[][] Components) Decompose(IReadOnlyList<float[]> rows, int components)
    {
        var n = rows.Count;
        if (n < 3) throw new ArgumentException($"A trajectory needs at least 3 checkpoints, got {n}.");
        if (components < 1 || components > n - 1) throw new ArgumentOutOfRangeException(nameof(components), components, $"Between 1 and {n - 1} components can be reported for {n} checkpoints.");
        var p = rows[0].Length;
        if (rows.Any(r => r.Length != p)) throw new ArgumentException("All checkpoints must have the same parameters.");

        var mean = new double[p];
        foreach (var row in rows)
            for (var j = 0; j < p; j++) mean[j] += row[j];
        for (var j = 0; j < p; j++) mean[j] /= n;

        var gram = Gram(rows, mean);
        using var scope = NewDisposeScope();
        var (eigenvalues, eigenvectors) = linalg.eigh(tensor(gram, [n, n]));
        // eigh sorts ascending; we want descending.
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        var lambda = order.Select(i => Math.Max(eigenvalues[i].item<double>(), 0)).ToArray();
        var total = lambda.Sum();
        var tolerance = Math.Max(lambda[0], double.Epsilon) * n * 1e-12;
        var ratios = lambda.Take(components).Select(l => total > 0 && l > tolerance ? l / total : 0).ToArray();
        var singular = lambda.Take(components).Select(l => l > tolerance ? Math.Sqrt(l) : 0).ToArray();

        var carried = Math.Min(2, lambda.Count(l => l > tolerance));
        var weights = new double[carried][];
        for (var k = 0; k < carried; k++)
        {
            var u = Enumerable.Range(0, n).Select(i => eigenvectors[i, order[k]].item<double>()).ToArray();
            // scikit-learn's svd_flip: the entry of u with the largest magnitude is made positive.
            var pivot = Enumerable.Range(0, n).MaxBy(i => Math.Abs(u[i]));
            var sign = u[pivot] < 0 ? -1 : 1;
            var singularValue = Math.Sqrt(lambda[k]);
            weights[k] = u.Select(value => sign * value / singularValue).ToArray();
        }
        var result = Components(rows, mean, weights);
        return (ratios, singular, result);
    }

    /// <summary>Coordinates of a row on the components.</summary>
    public static (double X, double Y) Project(float[] row, double[][] components, ProjectionMethod method)
    {
        var dots = components.Select(c => Dot(row, c)).ToArray();
        var x = dots.Length > 0 ? dots[0] / Norm(components[0]) : 0;
        var y = dots.Length > 1 ? dots[1] / Norm(components[1]) : 0;
        if (method == ProjectionMethod.Orthogonal || components.Length < 2) return (x, y);
        // Normal equations of min ‖d − a·c₁ − b·c₂‖.
        double g11 = Dot(components[0], components[0]), g12 = Dot(components[0], components[1]), g22 = Dot(components[1], components[1]);
        var det = g11 * g22 - g12 * g12;
        return ((g22 * dots[0] - g12 * dots[1]) / det, (g11 * dots[1] - g12 * dots[0]) / det);
    }

    /// <summary>
    /// The Gram matrix of the mean-centred rows, in float64. Written out rather than left to a BLAS
    /// GEMM: a library GEMM may sum in a different order from call to call (threads, memory
    /// alignment), and the components must be bit-identical every run. Each entry is summed by one
    /// thread in block order, so the parallel loop does not change the result.
    /// </summary>
    private static double[] Gram(IReadOnlyList<float[]> rows, double[] mean)
    {
        var n = rows.Count;
        var p = mean.Length;
        var gram = new double[n * n];
        var centred = new double[n][];
        for (var i = 0; i < n; i++) centred[i] = new double[BlockColumns];
        for (var start = 0; start < p; start += BlockColumns)
        {
            var width = Math.Min(BlockColumns, p - start);
            Parallel.For(0, n, i =>
            {
                var row = rows[i];
                var target = centred[i];
                for (var j = 0; j < width; j++) target[j] = row[start + j] - mean[start + j];
            });
            Parallel.For(0, n, i =>
            {
                for (var k = 0; k <= i; k++) gram[i * n + k] += Dot(centred[i].AsSpan(0, width), centred[k].AsSpan(0, width));
            });
        }
        for (var i = 0; i < n; i++)
            for (var k = i + 1; k < n; k++) gram[i * n + k] = gram[k * n + i];
        return gram;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var i = 0;
        var sum = 0.0;
        if (Vector512.IsHardwareAccelerated)
        {
            var wide = Vector512<double>.Zero;
            for (; i <= a.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                wide += Vector512.Create(a[i..]) * Vector512.Create(b[i..]);
            sum = Vector512.Sum(wide);
        }
        else
        {
            var lanes = System.Numerics.Vector<double>.Count;
            var sums = System.Numerics.Vector<double>.Zero;
            for (; i <= a.Length - lanes; i += lanes)
                sums += new System.Numerics.Vector<double>(a[i..]) * new System.Numerics.Vector<double>(b[i..]);
            sum = System.Numerics.Vector.Sum(sums);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>V = M_cᵀ U / s for the given columns of U / s, in one pass over the rows, each normalised to unit length.</summary>
    private static double[][] Components(IReadOnlyList<float[]> rows, double[] mean, double[][] weights)
    {
        var p = mean.Length;
        var components = weights.Select(_ => new double[p]).ToArray();
        Parallel.For(0, (p + BlockColumns - 1) / BlockColumns, block =>
        {
            var start = block * BlockColumns;
            var end = Math.Min(p, start + BlockColumns);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                for (var k = 0; k < components.Length; k++)
                {
                    var weight = weights[k][i];
                    var v = components[k];
                    for (var j = start; j < end; j++) v[j] += weight * (row[j] - mean[j]);
                }
            }
        });
        foreach (var v in components)
        {
            var norm = Norm(v);
            for (var j = 0; j < p; j++) v[j] /= norm;
        }
        return components;
    }

    private static double Dot(float[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Norm(double[] v) => Math.Sqrt(Dot(v, v));
}
