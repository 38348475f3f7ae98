namespace LossLandscape.Core.Sharpness;

/// <param name="Value">The batch-weighted mean of the per-batch values (m-sharpness).</param>
/// <param name="StandardError">For Monte Carlo estimates: √(Σ_b w_b² SE_b²), the batches' draws being independent; null for deterministic ones.</param>
public sealed record SharpnessEstimate(double Value, double? StandardError = null);
