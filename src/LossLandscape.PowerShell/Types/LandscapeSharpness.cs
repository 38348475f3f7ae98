using LossLandscape.Core.Sharpness;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// The sharpness of one checkpoint: each measure's value as a property, and in <see cref="Measures"/>
/// each with its definition and the parameters it was computed with. Every measure is m-sharpness:
/// per-batch values over consecutive batches of <see cref="BatchSize"/> samples, averaged with the
/// batches' sizes as weights.
/// </summary>
public sealed class LandscapeSharpness
{
    public required Checkpoint Checkpoint { get; init; }

    /// <summary>The data set, split and subset with the sample count.</summary>
    public required string Dataset { get; init; }

    public required int SampleCount { get; init; }

    /// <summary>m of m-sharpness.</summary>
    public required int BatchSize { get; init; }

    public required int BatchCount { get; init; }

    /// <summary>The number of perturbed coordinates.</summary>
    public required long Dimension { get; init; }

    /// <summary>"all" (every parameter, as Andriushchenko et al.) or "filters" (-IgnoreBiasAndNorm).</summary>
    public required string Perturbed { get; init; }

    /// <summary>The mean loss at the checkpoint over the same samples.</summary>
    public required double Loss { get; init; }

    public required double Rho { get; init; }

    public required SharpnessNorm Norm { get; init; }

    public required double AverageCase { get; init; }

    public required double AverageCaseStandardError { get; init; }

    public required int Samples { get; init; }

    public required double WorstCase { get; init; }

    public required int Iterations { get; init; }

    public required int Restarts { get; init; }

    /// <summary>The ascent of the worst-case measures: iterations, restarts, momentum and step schedule.</summary>
    public required string AscentSchedule { get; init; }

    public required double Keskar { get; init; }

    public required double Epsilon { get; init; }

    public required double DirectionCurvature { get; init; }

    public required double SecondDifference { get; init; }

    public required double CurvatureStep { get; init; }

    /// <summary>The filter-normalized random direction's recipe (as New-LandscapeDirection would make it).</summary>
    public required string Direction { get; init; }

    public double? MaxEigenvalue { get; init; }

    public double? Trace { get; init; }

    public double? TraceStandardError { get; init; }

    public required long Seed { get; init; }

    public required bool Float64 { get; init; }

    /// <summary>Every measure with its definition and parameters.</summary>
    public required SharpnessMeasure[] Measures { get; init; }

    /// <summary>Forward passes and Hessian-vector products spent.</summary>
    public required long Evaluations { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public override string ToString() =>
        $"worst case {WorstCase:G4}, average {AverageCase:G4} ± {AverageCaseStandardError:G2} ({Norm}, ρ = {Rho:G3}), Keskar {Keskar:G4}, dᵀHd {DirectionCurvature:G4}";
}
