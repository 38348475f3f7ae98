using System.Globalization;

namespace LossLandscape.Core.Sharpness;

/// <summary>One measure of a <see cref="SharpnessResult"/> with its definition and the parameters it was computed with, so a value is never separated from what it means.</summary>
public sealed record SharpnessMeasure(string Name, double Value, double? StandardError, string Definition, string Parameters)
{
    /// <summary>The measures of <paramref name="result"/>, in a fixed order (λmax and trace only when computed).</summary>
    public static IReadOnlyList<SharpnessMeasure> Of(SharpnessResult result)
    {
        var spec = result.Spec;
        var m = $"m = {spec.Evaluation.BatchSize} ({result.BatchCount} batch(es) of {result.SampleCount} samples, batch-weighted mean)";
        var norm = spec.Norm == SharpnessNorm.L2 ? "ℓ2" : "ℓ∞";
        var measures = new List<SharpnessMeasure>
        {
            new("AverageCase", result.Average.Value, result.Average.StandardError,
                spec.Norm == SharpnessNorm.L2
                    ? "E[L(w+δ)] − L(w), δ ~ N(0, ρ² diag(w²)) (Andriushchenko et al. 2023, adaptive average case); antithetic pairs ±δ"
                    : "E[L(w+δ)] − L(w), δ uniform in ρ|w|·[−1, 1] (Andriushchenko et al. 2023, adaptive average case); antithetic pairs ±δ",
                Invariant($"ρ = {spec.Rho}, {norm}, {spec.Samples} draws per batch, seed {spec.Seed}, {m}")),
            new("WorstCase", result.WorstCase.Value, null,
                $"max L(w+δ) − L(w) over ‖δ ⊘ |w|‖{(spec.Norm == SharpnessNorm.L2 ? "₂" : "∞")} ≤ ρ (Andriushchenko et al. 2023, adaptive worst case), a lower bound found by ascent",
                Invariant($"ρ = {spec.Rho}, {spec.Ascent}, seed {spec.Seed}, {m}")),
            new("Keskar", result.Keskar.Value, null,
                "100·(max L(w+y) − L(w))/(1 + L(w)) over |y_i| ≤ ε(|w_i| + 1) (Keskar et al. 2017; they maximised with L-BFGS-B, here projected ascent with box clipping)",
                Invariant($"ε = {spec.Epsilon}, {spec.Ascent}, seed {spec.Seed}, {m}")),
            new("DirectionCurvature", result.DirectionCurvature, null,
                "dᵀHd along the filter-normalized random direction d, from one Hessian-vector product per batch",
                Invariant($"d: {result.Direction}, {m}")),
            new("SecondDifference", result.SecondDifference, null,
                "(L(w+hd) − 2L(w) + L(w−hd))/h² along the same d",
                Invariant($"h = {spec.CurvatureStep}, d: {result.Direction}, {m}")),
        };
        if (result.MaxEigenvalue is { } lambda)
            measures.Add(new("MaxEigenvalue", lambda, null, "λmax of the Hessian of the mean loss over all the samples (Lanczos)", Invariant($"relative tolerance {spec.LanczosTolerance}, seed {spec.Seed}")));
        if (result.Trace is { } trace)
            measures.Add(new("Trace", trace.Trace, trace.StandardError, "tr(H) of the mean loss over all the samples (Hutchinson, Rademacher probes)", Invariant($"{trace.Probes} probes, seed {spec.Seed}")));
        return measures;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
