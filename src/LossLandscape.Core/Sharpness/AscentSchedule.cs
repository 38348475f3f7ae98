namespace LossLandscape.Core.Sharpness;

/// <summary>
/// How the worst-case measures are maximised: projected gradient ascent with momentum and step-size
/// halving at checkpoints, the Auto-PGD scheme (Croce &amp; Hein, 2020) that Andriushchenko et al. use.
/// Restart 0 starts from δ = 0; restart k ≥ 1 from a seeded random point of the set. The best value
/// seen over all iterations and restarts is the estimate.
/// </summary>
/// <remarks>
/// One iteration at step η: z = P(δ + η·a) with a = g/‖g‖₂ (ℓ2, g the loss gradient over the
/// perturbed coordinates) or a = s ⊙ sign(g) (ℓ∞, s the set's per-coordinate scale); then
/// δ ← P(δ + 0.75(z − δ) + 0.25(δ − δ_prev)) (δ ← z on the first iteration). η starts at 2ρ·rms(s)
/// (ℓ2) or 2ρ (ℓ∞, per coordinate 2ρ·s_i). After iteration i ∈ <see cref="Checkpoints"/> η is halved,
/// and the ascent restarts from the best point so far, when fewer than 0.75·(i − previous checkpoint)
/// iterations improved the best loss since the previous checkpoint, or when neither η nor the best
/// loss changed since then. The ℓ2 step follows the plain gradient, not |w| ⊙ g as in their code:
/// with the Euclidean projection onto the ellipsoid only the plain gradient has the constrained
/// maximisers (Karush–Kuhn–Tucker points) as fixed points.
/// </remarks>
public sealed record AscentSchedule
{
    public const double Momentum = 0.75;

    public const double StepDecrease = 0.5;

    public const double MinUpdateRatio = 0.75;

    /// <summary>Gradient steps per restart (their README uses 20).</summary>
    public int Iterations { get; init; } = 20;

    /// <summary>Ascents per batch: 1 is the zero start only.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// The iterations after which the step may be halved: ⌈p_j·K⌉ for p_0 = 0, p_1 = 0.22,
    /// p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06), up to the first at or beyond K (Auto-PGD's).
    /// </summary>
    public static IReadOnlyList<int> Checkpoints(int iterations)
    {
        var fractions = new List<double> { 0, 0.22 };
        var points = new List<int> { 0, (int)Math.Ceiling(0.22 * iterations) };
        while (points[^1] < iterations && points[^1] != points[^2])
        {
            fractions.Add(fractions[^1] + Math.Max(fractions[^1] - fractions[^2] - 0.03, 0.06));
            points.Add((int)Math.Ceiling(fractions[^1] * iterations));
        }
        return points.Skip(1).Distinct().ToArray();
    }

    /// <exception cref="ArgumentException">A count is below 1.</exception>
    public void Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"The ascent needs at least 1 iteration, got {Iterations}.");
        if (Restarts < 1) throw new ArgumentException($"The ascent needs at least 1 restart (the zero start), got {Restarts}.");
    }

    public override string ToString() =>
        $"{Iterations} projected-gradient iterations × {Restarts} restart(s) (0: zero start), momentum {Momentum}, step 2r (ℓ∞: 2r·s_i per coordinate; ℓ2: 2r·rms(s) along g/‖g‖) halved at iterations {string.Join(",", Checkpoints(Iterations))} when progress stalls (Auto-PGD)";
}
