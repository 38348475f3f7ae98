namespace LossLandscape.Core.Curvature;

/// <summary>
/// Eigenpairs from <see cref="LanczosEigensolver"/>, most extreme first (largest first for
/// <see cref="LanczosEigensolver.Largest"/>, smallest first for <see cref="LanczosEigensolver.Smallest"/>).
/// </summary>
/// <param name="Eigenvalues">Ritz values θ_i.</param>
/// <param name="Eigenvectors">Unit Ritz vectors y_i.</param>
/// <param name="ResidualNorms">‖H·y_i − θ_i·y_i‖, computed with one extra operator application per pair.</param>
/// <param name="Iterations">Lanczos steps taken.</param>
/// <param name="OperatorApplications">All applications of the operator, the residual checks included.</param>
/// <param name="Converged">Whether every residual met the tolerance before the iteration cap.</param>
public sealed record EigenResult(
    double[] Eigenvalues,
    double[][] Eigenvectors,
    double[] ResidualNorms,
    int Iterations,
    int OperatorApplications,
    bool Converged);
