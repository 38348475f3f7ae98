namespace LossLandscape.PowerShell.Types;

/// <summary>
/// Curvature of the mean loss at a checkpoint: top eigenvalues (with residual norms), λmin, and when
/// asked the Hutchinson trace and the spectral density. Eigenvalues are those of the Hessian of the
/// MEAN loss; the paper's code sums batch Hessians, which multiplies them by the number of batches.
/// </summary>
public sealed class HessianSpectrum
{
    /// <summary>The checkpoint; with <see cref="Direction"/> it pipes into Get-LossSurface (the landscape along the top eigenvectors).</summary>
    public required Checkpoint Checkpoint { get; init; }

    /// <summary>The eigenvectors of the two largest eigenvalues as directions (saved in an HDF5 direction file).</summary>
    public LandscapeDirection[] Direction { get; init; } = [];

    public required string Dataset { get; init; }

    public required int Dimension { get; init; }

    /// <summary>The mean loss at the analysed point, over the same data (equal to Get-LossSurface's value there with the same data parameters).</summary>
    public required double Loss { get; init; }

    public required double[] TopEigenvalues { get; init; }

    public required double[] Residuals { get; init; }

    public required double MinEigenvalue { get; init; }

    /// <summary>|λmin/λmax|, the paper's measure of non-convexity.</summary>
    public double Ratio => TopEigenvalues[0] == 0 ? double.NaN : Math.Abs(MinEigenvalue / TopEigenvalues[0]);

    public required int Iterations { get; init; }

    public required bool Converged { get; init; }

    public double? Trace { get; init; }

    public double? TraceStandardError { get; init; }

    /// <summary>Each -GroupBy group: its share of <see cref="Trace"/> (they add up to it), with -GroupSpectrum its block's λmax and density; null without -GroupBy.</summary>
    public HessianGroup[]? Groups { get; init; }

    public double[]? DensityGrid { get; init; }

    public double[]? Density { get; init; }

    public required long HessianVectorProducts { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public override string ToString() => $"λmax {TopEigenvalues[0]:G5}, λmin {MinEigenvalue:G5}, |λmin/λmax| {Ratio:G3}";
}

/// <summary>
/// One layer or block g: its share of the Hutchinson trace (the mean over the probes of z_gᵀ(Hz)_g),
/// and with -GroupSpectrum the largest eigenvalue and the density of its diagonal block H_gg.
/// </summary>
public sealed record HessianGroup(string Group, int Dimension, double Trace, double TraceStandardError)
{
    /// <summary>λmax(H_gg): the curvature along the group's parameters alone, the rest held fixed.</summary>
    public double? MaxEigenvalue { get; init; }

    /// <summary>Whether <see cref="MaxEigenvalue"/> met the Lanczos tolerance.</summary>
    public bool? Converged { get; init; }

    public double[]? DensityGrid { get; init; }

    public double[]? Density { get; init; }

    /// <summary>Hessian-vector products the group's own Lanczos runs took, each as costly as one of the whole model.</summary>
    public int HessianVectorProducts { get; init; }

    public override string ToString() => $"{Group}: trace {Trace:G4} ± {TraceStandardError:G2}" + (MaxEigenvalue is { } top ? $", λmax {top:G5}" : "");
}
