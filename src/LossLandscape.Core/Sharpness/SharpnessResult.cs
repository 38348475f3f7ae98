using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;

namespace LossLandscape.Core.Sharpness;

/// <summary>The measures of one checkpoint, with what they were computed on.</summary>
public sealed record SharpnessResult
{
    public required SharpnessSpec Spec { get; init; }

    /// <summary>The data the measures ran over (the planned split and subset).</summary>
    public required DatasetReference Data { get; init; }

    public required int SampleCount { get; init; }

    /// <summary>The m-batches: ⌈samples / m⌉.</summary>
    public required int BatchCount { get; init; }

    /// <summary>The number of perturbed coordinates.</summary>
    public required long Dimension { get; init; }

    /// <summary>The mean loss at w over the samples.</summary>
    public required double Loss { get; init; }

    public required SharpnessEstimate Average { get; init; }

    public required SharpnessEstimate WorstCase { get; init; }

    public required SharpnessEstimate Keskar { get; init; }

    /// <summary>dᵀHd along the filter-normalized random direction d (Hessian-vector products).</summary>
    public required double DirectionCurvature { get; init; }

    /// <summary>(L(w+hd) − 2L(w) + L(w−hd))/h² along the same d.</summary>
    public required double SecondDifference { get; init; }

    /// <summary>The direction's recipe, to rebuild it with New-LandscapeDirection.</summary>
    public required string Direction { get; init; }

    /// <summary>λmax of the Hessian of the mean loss over all the samples (not per batch), when asked.</summary>
    public double? MaxEigenvalue { get; init; }

    /// <summary>The Hutchinson trace of that Hessian, when asked (the batch average of per-batch traces: the trace is linear).</summary>
    public TraceEstimate? Trace { get; init; }

    /// <summary>Forward passes (and Hessian-vector products) spent.</summary>
    public required long Evaluations { get; init; }
}
