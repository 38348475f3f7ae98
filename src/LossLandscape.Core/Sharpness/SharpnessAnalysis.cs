using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Sharpness;

/// <summary>
/// The sharpness measures of one checkpoint on its planned data: adaptive average and worst case
/// (Andriushchenko et al., ICML 2023), Keskar et al.'s ε-sharpness, the curvature along the
/// filter-normalized random direction, and optionally λmax and the trace of the Hessian. The model is
/// evaluated in eval mode; batches are consecutive runs of m samples.
/// </summary>
public sealed class SharpnessAnalysis
{
    private readonly LandscapeRuntime runtime;
    private readonly CheckpointInfo checkpoint;
    private readonly SharpnessSpec spec;

    /// <exception cref="SpecException">The spec is invalid.</exception>
    public SharpnessAnalysis(LandscapeRuntime runtime, CheckpointInfo checkpoint, SharpnessSpec spec)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        this.runtime = runtime;
        this.checkpoint = checkpoint;
        this.spec = spec;
    }

    /// <param name="evaluations">Called with the count of forward passes so far: the measures have no fixed length, so progress is work done.</param>
    /// <param name="device">Where the model and batches compute (null: the CPU).</param>
    /// <exception cref="SpecException">The checkpoint or data do not fit the spec.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public SharpnessResult Run(Action<long>? evaluations = null, ComputeDevice? device = null, CancellationToken cancellation = default)
    {
        var evaluation = spec.Evaluation;
        var data = evaluation.PlanData(runtime, checkpoint)[0];
        using var dataset = DatasetCatalog.Load(runtime, data, device);
        using var model = CheckpointStore.LoadModel(runtime, checkpoint, device);
        var weightsOnly = evaluation.IgnoreBiasAndNorm;
        // Drawn before any float64 conversion or merge, in float32 from the checkpoint's own values like every
        // direction, so every precision and BatchNorm option follows the d New-LandscapeDirection makes.
        var recipe = new DirectionRecipe { Seed = spec.Seed, IgnoreBiasAndNorm = weightsOnly, Parameters = evaluation.Parameters, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        var direction = DirectionFactory.Random(model, recipe);
        var layout = ParameterLayout.Of(model);
        if (spec.Float64) model.to(ScalarType.Float64);
        // Merged in the compute precision, so a float64 run merges without float32 rounding.
        if (evaluation.FoldBatchNorm && BatchNormMerge.Apply(model) == 0)
            throw new SpecException(SpecProblem.Argument, $"-FoldBatchNorm merges BatchNorm statistics into γ and β, but {checkpoint.Name} has no BatchNorm layer to merge.");

        using var objective = new ModelObjective(model, dataset, evaluation.BatchSize, evaluation.LossFunction, weightsOnly, evaluation.Parameters);
        long hessianProducts = 0;
        void Report(long forward) => evaluations?.Invoke(forward + hessianProducts);
        using var engine = new SharpnessEngine(objective, cancellation) { Evaluated = Report };
        var loss = engine.Loss();
        var average = engine.Average(spec.Rho, spec.Norm, spec.Samples, spec.Seed);
        var worst = engine.WorstCase(spec.Rho, spec.Norm, spec.Ascent, spec.Seed);
        var keskar = engine.Keskar(spec.Epsilon, spec.Ascent, spec.Seed);
        using var restricted = Restrict(direction.Parameters, layout, objective.ParameterNames);
        var (curvature, secondDifference) = engine.Curvature(restricted, spec.CurvatureStep);

        double? maxEigenvalue = null;
        TraceEstimate? trace = null;
        if (spec.MaxEigenvalue || spec.Trace)
        {
            using var hessian = new HessianOperator(model, dataset, evaluation.LossFunction, evaluation.BatchSize, weightsOnly, cancellation: cancellation, subset: evaluation.Parameters);
            double[] Apply(double[] v)
            {
                var product = hessian.Apply(v);
                hessianProducts = hessian.HessianVectorProducts;
                Report(engine.Evaluations);
                return product;
            }
            if (spec.MaxEigenvalue)
                maxEigenvalue = new LanczosEigensolver(Apply, hessian.Dimension) { RelativeTolerance = spec.LanczosTolerance, Seed = spec.Seed, Cancellation = cancellation }.Largest(1).Eigenvalues[0];
            if (spec.Trace)
                trace = new HutchinsonTraceEstimator(Apply, hessian.Dimension) { Seed = spec.Seed, Cancellation = cancellation }.Estimate(spec.Probes);
        }

        return new SharpnessResult
        {
            Spec = spec,
            Data = data,
            SampleCount = dataset.Count,
            BatchCount = objective.BatchCount,
            Dimension = engine.Dimension,
            Loss = loss,
            Average = average,
            WorstCase = worst,
            Keskar = keskar,
            DirectionCurvature = curvature,
            SecondDifference = secondDifference,
            Direction = recipe.ToString(),
            MaxEigenvalue = maxEigenvalue,
            Trace = trace,
            Evaluations = engine.Evaluations + hessianProducts,
        };
    }

    /// <summary>The entries of a full-model flat vector that belong to the perturbed parameters, in their order.</summary>
    internal static Tensor Restrict(float[] full, ParameterLayout layout, IReadOnlyList<string> names)
    {
        var byName = layout.Parameters.ToDictionary(p => p.Name);
        var entries = names.Select(n => byName[n]).ToArray();
        var values = new float[entries.Sum(e => e.Length)];
        long offset = 0;
        foreach (var entry in entries)
        {
            Array.Copy(full, entry.Offset, values, offset, entry.Length);
            offset += entry.Length;
        }
        return tensor(values);
    }
}
