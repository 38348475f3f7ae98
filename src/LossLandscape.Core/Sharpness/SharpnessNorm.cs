namespace LossLandscape.Core.Sharpness;

/// <summary>The perturbation set of the adaptive measures (Andriushchenko et al., ICML 2023).</summary>
public enum SharpnessNorm
{
    /// <summary>Worst case over ‖δ ⊘ |w|‖₂ ≤ ρ; average case over δ ~ N(0, ρ² diag(w²)).</summary>
    L2,

    /// <summary>Worst case over ‖δ ⊘ |w|‖∞ ≤ ρ; average case over δ uniform in ρ|w|·[−1, 1].</summary>
    Linf,
}
