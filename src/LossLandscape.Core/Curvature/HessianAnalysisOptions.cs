using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Curvature;

/// <summary>What <see cref="HessianAnalysis"/> computes, where, and how exactly.</summary>
public sealed record HessianAnalysisOptions
{
    /// <summary>The samples the mean loss runs over.</summary>
    public required DatasetReference Dataset { get; init; }

    /// <summary>How many of the largest eigenvalues (and their eigenvectors) Lanczos finds.</summary>
    public int Top { get; init; } = 1;

    /// <summary>Also estimate the trace (Hutchinson, Rademacher probes).</summary>
    public bool Trace { get; init; }

    public int Probes { get; init; } = 30;

    /// <summary>Also split the trace into per-group shares from the same probes (implies <see cref="Trace"/>).</summary>
    public HessianGrouping? GroupBy { get; init; }

    /// <summary>
    /// Also λmax of each <see cref="GroupBy"/> group's diagonal block (with <see cref="Density"/>, its
    /// density too), by a Lanczos run per group (<see cref="GroupSpectrumEstimator"/>): groups × (iterations + 1)
    /// Hessian-vector products, plus groups × <see cref="Runs"/> × <see cref="LanczosSteps"/> with the density.
    /// </summary>
    public bool GroupSpectrum { get; init; }

    /// <summary>Also estimate the spectral density (stochastic Lanczos quadrature).</summary>
    public bool Density { get; init; }

    public int Runs { get; init; } = 3;

    public int LanczosSteps { get; init; } = 50;

    /// <summary>Lanczos stops when every Ritz pair's residual is below this, relative to its eigenvalue.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>False: only tensors of rank &gt; 1, as the paper's code; true: biases and BN γ/β too.</summary>
    public bool IncludeBiasAndNorm { get; init; }

    /// <summary>Only these parameters (-Parameter), within <see cref="IncludeBiasAndNorm"/>: the spectrum is of the Hessian's sub-block over them.</summary>
    public ParameterSubset? Parameters { get; init; }

    public LossFunction LossFunction { get; init; } = LossFunction.CrossEntropy;

    public int BatchSize { get; init; } = Evaluation.DefaultBatchSize;

    public long Seed { get; init; }

    /// <summary>Compute in float64 (small models; exactness).</summary>
    public bool Float64 { get; init; }

    /// <summary>Where the model and batches compute (null: the CPU).</summary>
    public ComputeDevice? Device { get; init; }

    /// <summary>
    /// Running: θ*'s statistics (eval mode, as PyHessian); Interpolate: moved along directions that carry
    /// them; Reset: recomputed at the analysed point from <see cref="BatchNormResetData"/>, then held fixed.
    /// Batch statistics are not supported: the Hessian would differentiate through them.
    /// </summary>
    public BatchNormStatistics BatchNormStatistics { get; init; } = BatchNormStatistics.Running;

    /// <summary>With <see cref="BatchNormStatistics.Reset"/>: the training data the statistics are recomputed from.</summary>
    public DatasetReference? BatchNormResetData { get; init; }

    /// <summary>With <see cref="BatchNormStatistics.Reset"/>: k, the batches recomputed from; null for all.</summary>
    public int? BatchNormResetBatches { get; init; }

    /// <summary>None: the Hessian at θ*. One or two: at θ* + αδ + βη along them.</summary>
    public IReadOnlyList<DirectionVector> Directions { get; init; } = [];

    public double Alpha { get; init; }

    public double Beta { get; init; }

    /// <summary>The two eigenvectors saved as the plane.</summary>
    public HessianPair Pair { get; init; } = HessianPair.TopTwo;

    /// <summary>
    /// The seed of the filter-normalized random directions (x and y) whose global norms the saved
    /// eigenvectors are rescaled to, so α means the same distance on the Hessian plane as on that
    /// random plane; null: unit eigenvectors.
    /// </summary>
    public long? ScaleSeed { get; init; } = DirectionRecipe.DefaultSeed;

    /// <summary>The direction file for the saved eigenvectors; null: <c>hessian-&lt;hash&gt;.h5</c> beside the checkpoint.</summary>
    public string? EigenvectorFile { get; init; }

    /// <summary>Checks what the solvers would reject only after the data and the model are loaded.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or the point does not fit the directions.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Dataset);
        if (Top < 1) throw new ArgumentException($"Top must be at least 1, got {Top}.");
        if (Probes < 1) throw new ArgumentException($"Probes must be at least 1, got {Probes}.");
        if (Runs < 1) throw new ArgumentException($"Runs must be at least 1, got {Runs}.");
        if (LanczosSteps < 2) throw new ArgumentException($"LanczosSteps must be at least 2, got {LanczosSteps}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"Tolerance must be positive, got {Tolerance}.");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}.");
        if (BatchNormStatistics == BatchNormStatistics.Batch) throw new ArgumentException("The Hessian is taken with fixed BatchNorm statistics (Running, Interpolate or Reset), not with each batch's own.");
        if ((BatchNormStatistics == BatchNormStatistics.Reset) != (BatchNormResetData is not null)) throw new ArgumentException("Recomputed BatchNorm statistics need their training data, and only they do.");
        if ((BatchNormStatistics == BatchNormStatistics.Interpolate) != Directions.Any(d => d.Buffers is not null))
            throw new ArgumentException("BatchNorm statistics move exactly when the directions carry them (Interpolate).");
        if (GroupSpectrum && GroupBy is null) throw new ArgumentException("A spectrum per group needs the groups: give GroupBy (Layer or Block).");
        if (Directions.Count > 2) throw new ArgumentException($"A point lies along one or two directions, got {Directions.Count}.");
        if (Directions.Count < 2 && Beta != 0) throw new ArgumentException($"Beta = {Beta} needs a second direction.");
    }
}
