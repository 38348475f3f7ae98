using LossLandscape.Core.Data;

namespace LossLandscape.Core.Curvature;

/// <summary>Seeded probe vectors, identical on every platform (they come from <see cref="DeterministicNormal"/>'s stream).</summary>
internal static class RandomProbes
{
    /// <summary>Entries ±1 with equal probability.</summary>
    public static double[] Rademacher(DeterministicNormal source, int dimension)
    {
        var probe = new double[dimension];
        for (var i = 0; i < dimension; i++) probe[i] = (source.NextUInt64() >> 63) == 0 ? 1.0 : -1.0;
        return probe;
    }

    public static double[] Gaussian(DeterministicNormal source, int dimension)
    {
        var probe = new double[dimension];
        for (var i = 0; i < dimension; i++) probe[i] = source.Next();
        return probe;
    }

    public static double[] UnitGaussian(DeterministicNormal source, int dimension)
    {
        var probe = Gaussian(source, dimension);
        DenseVector.Scale(probe, 1.0 / DenseVector.Norm(probe));
        return probe;
    }
}
