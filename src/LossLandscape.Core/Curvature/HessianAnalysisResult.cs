using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Curvature;

/// <summary>The curvature <see cref="HessianAnalysis"/> found, and the file it saved the top eigenvectors in.</summary>
/// <param name="SampleCount">Samples the mean loss ran over.</param>
/// <param name="Loss">The mean loss at the analysed point.</param>
/// <param name="Dimension">Parameters the Hessian spans (all, or only the rank &gt; 1 ones).</param>
/// <param name="Largest">The top eigenpairs, largest first.</param>
/// <param name="Smallest">λmin and its eigenvector.</param>
/// <param name="Trace">Null unless asked for.</param>
/// <param name="Density">Null unless asked for.</param>
/// <param name="Eigenvectors">The plane's eigenvectors (<see cref="HessianAnalysisOptions.Pair"/>) as directions over all parameters.</param>
/// <param name="EigenvectorFile">The direction file holding <paramref name="Eigenvectors"/>.</param>
public sealed record HessianAnalysisResult(
    int SampleCount,
    double Loss,
    int Dimension,
    EigenResult Largest,
    EigenResult Smallest,
    TraceEstimate? Trace,
    SpectralDensity? Density,
    int HessianVectorProducts,
    IReadOnlyList<DirectionVector> Eigenvectors,
    string EigenvectorFile)
{
    /// <summary>Each -GroupBy group's share of <see cref="Trace"/>, from the same probes; null without -GroupBy.</summary>
    public IReadOnlyList<GroupTrace>? GroupTraces { get; init; }

    /// <summary>Each group's λmax (and density), in the order of <see cref="GroupTraces"/>; null unless <see cref="HessianAnalysisOptions.GroupSpectrum"/>.</summary>
    public IReadOnlyList<GroupSpectrum>? GroupSpectra { get; init; }

    public double MinEigenvalue => Smallest.Eigenvalues[0];

    public int Iterations => Largest.Iterations + Smallest.Iterations;

    public bool Converged => Largest.Converged && Smallest.Converged;
}
