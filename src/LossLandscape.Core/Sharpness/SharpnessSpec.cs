using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// What <see cref="SharpnessAnalysis"/> measures and how. The evaluation (checkpoint, data, subset,
/// split, loss, which parameters, BatchNorm) is the shared <see cref="EvaluationSpec"/>; its batch size
/// is the m of m-sharpness, and its <see cref="EvaluationSpec.IgnoreBiasAndNorm"/> restricts the
/// perturbation to filter weights (Andriushchenko et al. perturb every parameter: callers that follow
/// them set it false), and its <see cref="EvaluationSpec.FoldBatchNorm"/> merges the BatchNorm statistics
/// into γ and β first (<see cref="BatchNormMerge"/>, their <c>--merge_bn_stats</c>). Immutable and JSON-serialisable.
/// </summary>
public sealed record SharpnessSpec
{
    public required EvaluationSpec Evaluation { get; init; }

    /// <summary>ρ of the adaptive measures: the radius relative to |w|.</summary>
    public double Rho { get; init; } = 0.1;

    public SharpnessNorm Norm { get; init; } = SharpnessNorm.L2;

    /// <summary>Antithetic draws per batch of the average case.</summary>
    public int Samples { get; init; } = 100;

    /// <summary>The ascent of the worst-case measures (adaptive and Keskar's).</summary>
    public AscentSchedule Ascent { get; init; } = new();

    /// <summary>Keskar et al.'s ε.</summary>
    public double Epsilon { get; init; } = 1e-3;

    /// <summary>h of the second difference along the direction: the default 1D surface's grid step (51 points on [−1, 1]).</summary>
    public double CurvatureStep { get; init; } = DefaultCurvatureStep;

    public const double DefaultCurvatureStep = 0.04;

    /// <summary>Seeds the draws, the restarts and the filter-normalized direction (as New-LandscapeDirection -Seed).</summary>
    public long Seed { get; init; } = DirectionRecipe.DefaultSeed;

    /// <summary>Also λmax of the Hessian of the mean loss (Lanczos).</summary>
    public bool MaxEigenvalue { get; init; }

    /// <summary>Also the Hutchinson trace of that Hessian.</summary>
    public bool Trace { get; init; }

    public int Probes { get; init; } = 30;

    public double LanczosTolerance { get; init; } = 1e-6;

    /// <summary>Compute in float64 (small models; comparisons with a reference).</summary>
    public bool Float64 { get; init; }

    /// <exception cref="SpecException">A setting is out of range or not supported.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Evaluation);
        Evaluation.Validate();
        Evaluation.RequireBatchNormStatistics("Sharpness, measured in eval mode as Andriushchenko et al. measure it,", Directions.BatchNormStatistics.Running);
        if (Evaluation.Split == EvaluationSplit.Both) throw new SpecException(SpecProblem.Argument, "Sharpness is of one split's loss: give -Split Train or -Split Test.");
        Positive(Rho, "ρ (-Rho)");
        Positive(Epsilon, "ε (-Epsilon)");
        Positive(CurvatureStep, "The curvature step (-CurvatureStep)");
        if (Samples < 1) throw new SpecException(SpecProblem.Argument, $"The average case needs at least 1 draw (got {Samples}).");
        if (Ascent.Iterations < 1) throw new SpecException(SpecProblem.Argument, $"The ascent needs at least 1 iteration (got {Ascent.Iterations}).");
        if (Ascent.Restarts < 1) throw new SpecException(SpecProblem.Argument, $"The ascent needs at least 1 restart (got {Ascent.Restarts}).");
        if (Probes < 1) throw new SpecException(SpecProblem.Argument, $"The trace needs at least 1 probe (got {Probes}).");
        Positive(LanczosTolerance, "The Lanczos tolerance");
    }

    private static void Positive(double value, string what)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new SpecException(SpecProblem.Argument, $"{what} must be positive and finite (got {value}).") { Value = value };
    }
}
