using LossLandscape.Core.Data;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Curvature;

/// <summary>A dense symmetric matrix as an operator, with its exact spectrum from torch.linalg.eigvalsh for comparison.</summary>
internal sealed class SymmetricTestMatrix
{
    private SymmetricTestMatrix(double[,] entries) => Entries = entries;

    public double[,] Entries { get; }

    public int Dimension => Entries.GetLength(0);

    /// <summary>(A + Aᵀ)/2 with standard normal A, seeded.</summary>
    public static SymmetricTestMatrix Random(int dimension, long seed)
    {
        var normal = new DeterministicNormal(seed);
        var entries = new double[dimension, dimension];
        for (var i = 0; i < dimension; i++)
        {
            for (var j = 0; j <= i; j++) entries[i, j] = entries[j, i] = normal.Next();
        }
        return new SymmetricTestMatrix(entries);
    }

    public static SymmetricTestMatrix From(double[,] entries) => new(entries);

    public double[] Apply(double[] v)
    {
        var result = new double[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            double sum = 0;
            for (var j = 0; j < Dimension; j++) sum += Entries[i, j] * v[j];
            result[i] = sum;
        }
        return result;
    }

    public double Trace()
    {
        double trace = 0;
        for (var i = 0; i < Dimension; i++) trace += Entries[i, i];
        return trace;
    }

    /// <summary>tr(A²) = Σ A_ij² for symmetric A.</summary>
    public double TraceOfSquare()
    {
        double sum = 0;
        foreach (var entry in Entries) sum += entry * entry;
        return sum;
    }

    /// <summary>All eigenvalues ascending, by LAPACK through libtorch (a method independent of Lanczos).</summary>
    public double[] Eigenvalues()
    {
        using var matrix = tensor(Entries.Cast<double>().ToArray(), [Dimension, Dimension]);
        using var values = linalg.eigvalsh(matrix);
        return values.data<double>().ToArray();
    }
}
