namespace LossLandscape.Core.Curvature;

/// <summary>λmax, and optionally the spectral density, of one group's diagonal block H_gg.</summary>
/// <param name="Largest">λmax(H_gg) and its eigenvector over the group's entries.</param>
/// <param name="Density">Null unless asked for.</param>
/// <param name="HessianVectorProducts">Products of the whole operator this group took: each is a full-model product, however small the group.</param>
public sealed record GroupSpectrum(string Group, int Dimension, EigenResult Largest, SpectralDensity? Density, int HessianVectorProducts)
{
    public double MaxEigenvalue => Largest.Eigenvalues[0];
}

/// <summary>
/// Per-group curvature that the whole-model probes cannot give: λmax of each group's diagonal block
/// H_gg by Lanczos, and its density by stochastic Lanczos quadrature, on the operator
/// u ↦ (H·[0, u, 0])_g. The block needs a Krylov space of its own, so each group costs its own
/// Lanczos run, and each of its steps is a product of the whole Hessian (the zeros outside g save
/// nothing in back-propagation): about (iterations + 1) products per group for λmax, plus
/// runs × steps for the density.
/// </summary>
public sealed class GroupSpectrumEstimator
{
    private readonly Func<double[], double[]> apply;
    private readonly int dimension;

    public GroupSpectrumEstimator(Func<double[], double[]> apply, int dimension)
    {
        ArgumentNullException.ThrowIfNull(apply);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        this.apply = apply;
        this.dimension = dimension;
    }

    /// <summary>As <see cref="LanczosEigensolver.RelativeTolerance"/>, for every group.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Seed of every group's Lanczos start vector and density probes: a group's result does not depend on the others.</summary>
    public long Seed { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <param name="groups">Disjoint ranges of the vectors.</param>
    /// <param name="density">Runs and Lanczos steps of each group's density; null: λmax only.</param>
    public IReadOnlyList<GroupSpectrum> Estimate(IReadOnlyList<ParameterGroup> groups, (int Runs, int Steps)? density = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.FirstOrDefault(g => g.Offset < 0 || g.Length < 1 || g.Offset + g.Length > dimension) is { } outside)
            throw new ArgumentException($"Group '{outside.Name}' [{outside.Offset}, {outside.Offset + outside.Length}) lies outside the {dimension} entries.", nameof(groups));
        var spectra = new List<GroupSpectrum>(groups.Count);
        foreach (var group in groups)
        {
            var products = 0;
            var block = DiagonalBlock(group);
            double[] Counted(double[] u)
            {
                products++;
                return block(u);
            }
            var largest = new LanczosEigensolver(Counted, group.Length) { RelativeTolerance = RelativeTolerance, Seed = Seed, Cancellation = Cancellation }.Largest(1);
            var groupDensity = density is var (runs, steps)
                ? new SpectralDensityEstimator(Counted, group.Length) { Seed = Seed, Cancellation = Cancellation }.Estimate(runs, steps)
                : null;
            spectra.Add(new GroupSpectrum(group.Name, group.Length, largest, groupDensity, products));
        }
        return spectra;
    }

    /// <summary>u ↦ (H·v)_g with v equal to u on the group and zero elsewhere: the operator of H_gg.</summary>
    public Func<double[], double[]> DiagonalBlock(ParameterGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return u =>
        {
            if (u.Length != group.Length) throw new ArgumentException($"The vector has {u.Length} entries; group '{group.Name}' has {group.Length}.", nameof(u));
            var whole = new double[dimension];
            u.CopyTo(whole, group.Offset);
            var product = apply(whole);
            DenseVector.EnsureOperatorResult(product, dimension);
            return product.AsSpan(group.Offset, group.Length).ToArray();
        };
    }
}
