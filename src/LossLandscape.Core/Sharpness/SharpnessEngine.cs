using LossLandscape.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// The sharpness measures of an objective at its parameters' current values w, each computed per
/// batch and averaged with the batches' weights (m-sharpness; one batch gives the plain measure).
/// Perturbations are flat vectors over the objective's parameters; every evaluation places w + δ from
/// the saved w, so no rounding accumulates, and w is restored when a measure returns.
/// </summary>
public sealed class SharpnessEngine : IDisposable
{
    private readonly SharpnessObjective objective;
    private readonly Tensor origin;
    private readonly CancellationToken cancellation;

    /// <exception cref="ArgumentException">The parameters are not finite or do not share one dtype and device.</exception>
    public SharpnessEngine(SharpnessObjective objective, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var parameters = objective.Parameters;
        if (parameters.Count == 0) throw new ArgumentException("The objective has no parameters.", nameof(objective));
        if (parameters.Any(p => p.dtype != parameters[0].dtype || p.device.ToString() != parameters[0].device.ToString()))
            throw new ArgumentException("The perturbed parameters must share one dtype and one device.", nameof(objective));
        if (objective.BatchCount < 1) throw new ArgumentException("The objective has no batches.", nameof(objective));
        this.objective = objective;
        this.cancellation = cancellation;
        using (no_grad())
        {
            origin = cat(parameters.Select(p => p.detach().reshape(-1)).ToList(), 0).clone();
        }
        using var finite = isfinite(origin).all();
        if (!finite.item<bool>())
        {
            origin.Dispose();
            throw new ArgumentException("The parameters hold NaN or infinite values; every perturbed loss would be undefined.", nameof(objective));
        }
        Dimension = origin.shape[0];
    }

    /// <summary>The number of perturbed coordinates.</summary>
    public long Dimension { get; }

    /// <summary>Forward passes so far (with or without a gradient): the measure of work done.</summary>
    public long Evaluations { get; private set; }

    /// <summary>Called after every forward pass with <see cref="Evaluations"/>.</summary>
    public Action<long>? Evaluated { get; init; }

    /// <summary>The batch-weighted mean loss at w, which is the mean loss over all samples.</summary>
    public double Loss()
    {
        double total = 0;
        for (var b = 0; b < objective.BatchCount; b++) total += objective.BatchWeight(b) * LossAt(b);
        return total;
    }

    /// <summary>
    /// Adaptive average-case sharpness E[L(w + δ)] − L(w), δ ~ N(0, ρ² diag(w²)) (ℓ2) or uniform in
    /// ρ|w|·[−1, 1] (ℓ∞). Each draw δ is evaluated at ±δ (antithetic pair; δ and −δ are equally
    /// likely, so the mean is unbiased) and contributes ½(L(w+δ) + L(w−δ)) − L(w): the first-order
    /// term, which dominates the noise of plain draws, cancels exactly.
    /// </summary>
    /// <param name="samples">Draws per batch (each two evaluations).</param>
    /// <param name="seed">Batch b draws from its own generator, seeded from (seed, b).</param>
    public SharpnessEstimate Average(double rho, SharpnessNorm norm, int samples, long seed)
    {
        CheckRadius(rho);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "At least one draw is needed.");
        using var scale = origin.abs();
        double value = 0, variance = 0;
        try
        {
            for (var b = 0; b < objective.BatchCount; b++)
            {
                Restore();
                var baseline = LossAt(b);
                using var generator = new Generator(unchecked((ulong)DeterministicShuffle.DeriveSeed(seed, b)));
                var pairs = new double[samples];
                for (var k = 0; k < samples; k++)
                {
                    using var scope = NewDisposeScope();
                    var noise = norm == SharpnessNorm.L2
                        ? randn([Dimension], origin.dtype, generator: generator)
                        : rand([Dimension], origin.dtype, generator: generator).mul_(2).sub_(1);
                    var delta = noise.to(origin.device).mul_(scale).mul_(rho);
                    Place(delta);
                    var plus = LossAt(b);
                    Place(delta.neg());
                    var minus = LossAt(b);
                    pairs[k] = 0.5 * (plus + minus) - baseline;
                }
                var weight = objective.BatchWeight(b);
                var mean = pairs.Average();
                var error = StandardError(pairs, mean);
                value += weight * mean;
                variance += weight * weight * error * error;
            }
        }
        finally
        {
            Restore();
        }
        return new SharpnessEstimate(value, Math.Sqrt(variance));
    }

    /// <summary>Adaptive worst-case sharpness: max L(w + δ) − L(w) over ‖δ ⊘ |w|‖_p ≤ ρ, by <paramref name="schedule"/>.</summary>
    public SharpnessEstimate WorstCase(double rho, SharpnessNorm norm, AscentSchedule schedule, long seed)
    {
        CheckRadius(rho);
        using var scale = origin.abs();
        return new SharpnessEstimate(Maximize(scale, rho, norm, schedule, seed, (best, baseline) => best - baseline));
    }

    /// <summary>
    /// Keskar et al.'s ε-sharpness 100·(max_{y ∈ C_ε} L(w + y) − L(w)) / (1 + L(w)) with
    /// C_ε = {|y_i| ≤ ε(|w_i| + 1)}, maximised by <paramref name="schedule"/> with box clipping (they used L-BFGS-B).
    /// </summary>
    public SharpnessEstimate Keskar(double epsilon, AscentSchedule schedule, long seed)
    {
        CheckRadius(epsilon);
        using var scale = origin.abs().add_(1);
        return new SharpnessEstimate(Maximize(scale, epsilon, SharpnessNorm.Linf, schedule, seed, (best, baseline) => 100 * (best - baseline) / (1 + baseline)));
    }

    /// <summary>
    /// The curvature along <paramref name="direction"/> d: dᵀHd from one Hessian-vector product per
    /// batch (exact up to rounding), and the central second difference (L(w+hd) − 2L(w) + L(w−hd))/h².
    /// </summary>
    public (double Quadratic, double SecondDifference) Curvature(Tensor direction, double step)
    {
        ArgumentNullException.ThrowIfNull(direction);
        if (direction.ndim != 1 || direction.shape[0] != Dimension) throw new ArgumentException($"The direction must be a vector of {Dimension} entries.", nameof(direction));
        CheckRadius(step);
        using var d = direction.to(origin.dtype, origin.device);
        using (var finite = isfinite(d).all())
        {
            if (!finite.item<bool>()) throw new ArgumentException("The direction holds NaN or infinite values.", nameof(direction));
        }
        var parameters = objective.Parameters.Cast<Tensor>().ToArray();
        double quadratic = 0, difference = 0;
        try
        {
            for (var b = 0; b < objective.BatchCount; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                Restore();
                double baseline, curvature;
                using (enable_grad())
                {
                    var loss = objective.Loss(b);
                    Counted();
                    // Both flags on the first grad: without retain_graph the second grad aborts the native process in TorchSharp 0.107.
                    var gradient = autograd.grad([loss], parameters, retain_graph: true, create_graph: true);
                    var projection = Flat(gradient).dot(d);
                    var product = autograd.grad([projection], parameters, retain_graph: true, create_graph: false);
                    curvature = ToDouble(Flat(product).dot(d));
                    baseline = ToDouble(loss);
                }
                Place(d * step);
                var plus = LossAt(b);
                Place(d * -step);
                var minus = LossAt(b);
                var weight = objective.BatchWeight(b);
                quadratic += weight * curvature;
                difference += weight * (plus - 2 * baseline + minus) / (step * step);
            }
        }
        finally
        {
            Restore();
        }
        return (quadratic, difference);
    }

    public void Dispose() => origin.Dispose();

    /// <summary>The per-batch maxima of the loss over {δ : ‖δ ⊘ scale‖_p ≤ radius}, each turned into a value by <paramref name="measure"/>(max, L(w)), batch-weighted.</summary>
    private double Maximize(Tensor scale, double radius, SharpnessNorm norm, AscentSchedule schedule, long seed, Func<double, double, double> measure)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        var checkpoints = AscentSchedule.Checkpoints(schedule.Iterations).ToHashSet();
        double total = 0;
        try
        {
            for (var b = 0; b < objective.BatchCount; b++)
            {
                Restore();
                var baseline = LossAt(b);
                var best = baseline;
                using var generator = new Generator(unchecked((ulong)DeterministicShuffle.DeriveSeed(seed, b)));
                for (var restart = 0; restart < schedule.Restarts; restart++)
                    best = Math.Max(best, Ascend(b, scale, radius, norm, schedule.Iterations, checkpoints, restart == 0 ? null : generator));
                total += objective.BatchWeight(b) * measure(best, baseline);
            }
        }
        finally
        {
            Restore();
        }
        return total;
    }

    /// <summary>One projected ascent (<see cref="AscentSchedule"/>) on batch <paramref name="batch"/>; returns the largest loss it saw.</summary>
    /// <param name="generator">Null: start at δ = 0; otherwise at a random point of the set drawn from it.</param>
    private double Ascend(int batch, Tensor scale, double radius, SharpnessNorm norm, int iterations, HashSet<int> checkpoints, Generator? generator)
    {
        Tensor? delta = null, previous = null, gradient = null, bestDelta = null, bestGradient = null;
        try
        {
            delta = generator is null ? zeros_like(origin) : RandomPoint(scale, radius, norm, generator);
            Place(delta);
            var (best, startGradient) = LossAndGradient(batch);
            gradient = startGradient;
            previous = delta.clone();
            bestDelta = delta.clone();
            bestGradient = gradient.clone();
            double step;
            using (var active = scale.gt(0))
            using (var squares = scale.mul(scale))
            {
                // ℓ2 steps are lengths in δ-space: 2ρ times the root-mean-square semi-axis of the ellipsoid.
                step = norm == SharpnessNorm.L2 ? 2 * radius * Math.Sqrt(ToDouble(squares.sum()) / Math.Max(1, ToDouble(active.sum()))) : 2 * radius;
            }
            var updates = 0;
            var lastCheckpoint = 0;
            var stepAtCheckpoint = step;
            var bestAtCheckpoint = best;
            for (var i = 1; i <= iterations; i++)
            {
                Tensor next;
                using (var scope = NewDisposeScope())
                {
                    var ascent = norm == SharpnessNorm.L2
                        ? L2Ascent(gradient, scale, step)
                        : gradient.sign().mul_(scale).mul_(step);
                    var z = Project(delta + ascent, scale, radius, norm);
                    next = i == 1 ? z : Project(delta + AscentSchedule.Momentum * (z - delta) + (1 - AscentSchedule.Momentum) * (delta - previous), scale, radius, norm);
                    next.DetachFromDisposeScope();
                }
                previous.Dispose();
                previous = delta;
                delta = next;
                Place(delta);
                var (loss, nextGradient) = LossAndGradient(batch);
                gradient.Dispose();
                gradient = nextGradient;
                if (loss > best)
                {
                    best = loss;
                    bestDelta.Dispose();
                    bestDelta = delta.clone();
                    bestGradient.Dispose();
                    bestGradient = gradient.clone();
                    updates++;
                }
                if (!checkpoints.Contains(i)) continue;
                var fewUpdates = updates < AscentSchedule.MinUpdateRatio * (i - lastCheckpoint);
                var unchanged = step == stepAtCheckpoint && best == bestAtCheckpoint;
                stepAtCheckpoint = step;
                bestAtCheckpoint = best;
                lastCheckpoint = i;
                updates = 0;
                if (!fewUpdates && !unchanged) continue;
                step *= AscentSchedule.StepDecrease;
                delta.Dispose();
                delta = bestDelta.clone();
                previous.Dispose();
                previous = bestDelta.clone();
                gradient.Dispose();
                gradient = bestGradient.clone();
            }
            return best;
        }
        finally
        {
            delta?.Dispose();
            previous?.Dispose();
            gradient?.Dispose();
            bestDelta?.Dispose();
            bestGradient?.Dispose();
        }
    }

    /// <summary>step · g/‖g‖ over the coordinates that may move (s_i &gt; 0); zero where the gradient vanishes.</summary>
    private static Tensor L2Ascent(Tensor gradient, Tensor scale, double step)
    {
        var moving = where(scale.gt(0), gradient, 0.0);
        var length = Math.Sqrt(ToDouble(moving.mul(moving).sum()));
        return length == 0 ? moving : moving.mul_(step / length);
    }

    private static Tensor Project(Tensor point, Tensor scale, double radius, SharpnessNorm norm)
    {
        if (norm == SharpnessNorm.L2) return EllipsoidProjection.Project(point, scale, radius);
        var bound = scale * radius;
        return minimum(maximum(point, bound.neg()), bound);
    }

    /// <summary>A random point of the set: uniform in the box (ℓ∞), uniform in the ellipsoid (ℓ2).</summary>
    private Tensor RandomPoint(Tensor scale, double radius, SharpnessNorm norm, Generator generator)
    {
        using var scope = NewDisposeScope();
        if (norm == SharpnessNorm.Linf)
            return rand([Dimension], origin.dtype, generator: generator).to(origin.device).mul_(2).sub_(1).mul_(scale).mul_(radius).MoveToOuterDisposeScope();
        var active = scale.gt(0);
        var direction = where(active, randn([Dimension], origin.dtype, generator: generator).to(origin.device), 0.0);
        var count = Math.Max(1, ToDouble(active.sum()));
        var length = Math.Sqrt(ToDouble(direction.mul(direction).sum()));
        var fraction = Math.Pow(ToDouble(rand([1], ScalarType.Float64, generator: generator)), 1 / count);
        return length == 0 ? direction.MoveToOuterDisposeScope() : direction.mul_(radius * fraction / length).mul_(scale).MoveToOuterDisposeScope();
    }

    private double LossAt(int batch)
    {
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var value = ToDouble(objective.Loss(batch));
        Counted();
        return value;
    }

    private (double Loss, Tensor Gradient) LossAndGradient(int batch)
    {
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var loss = objective.Loss(batch);
        Counted();
        var gradient = autograd.grad([loss], objective.Parameters.Cast<Tensor>().ToArray());
        return (ToDouble(loss), Flat(gradient).detach().MoveToOuterDisposeScope());
    }

    /// <summary>Sets the parameters to w + δ.</summary>
    private void Place(Tensor delta)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var parameter in objective.Parameters)
        {
            var length = parameter.numel();
            parameter.copy_(origin.narrow(0, offset, length).add(delta.narrow(0, offset, length)).view(parameter.shape));
            offset += length;
        }
    }

    private void Restore()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var parameter in objective.Parameters)
        {
            var length = parameter.numel();
            parameter.copy_(origin.narrow(0, offset, length).view(parameter.shape));
            offset += length;
        }
    }

    private void Counted()
    {
        Evaluations++;
        Evaluated?.Invoke(Evaluations);
    }

    private static Tensor Flat(IList<Tensor> parts) => cat(parts.Select(p => p.reshape(-1)).ToList(), 0);

    private static double ToDouble(Tensor scalar)
    {
        if (scalar.numel() != 1) throw new InvalidOperationException($"The loss must be a scalar; it has shape [{string.Join(", ", scalar.shape)}].");
        using var wide = scalar.detach().to(ScalarType.Float64, CPU);
        return wide.item<double>();
    }

    private static double StandardError(double[] values, double mean)
    {
        if (values.Length < 2) return 0;
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return Math.Sqrt(variance / values.Length);
    }

    private static void CheckRadius(double value)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "The radius (ρ, ε or step) must be positive and finite.");
    }
}
