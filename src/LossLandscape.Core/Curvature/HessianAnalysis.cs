using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// The Hessian of the mean loss at a checkpoint (or at a point along directions from it), through
/// Hessian-vector products of one operator: the top eigenpairs and λmin by Lanczos, optionally the
/// Hutchinson trace and the spectral density, per group too (<see cref="HessianAnalysisOptions.GroupBy"/>); two eigenvectors (<see cref="HessianAnalysisOptions.Pair"/>)
/// are saved as a direction file, rescaled to the norms of the random plane of the same seed. BatchNorm evaluates with θ*'s running statistics (eval mode), as the surfaces do, unless <see cref="HessianAnalysisOptions.BatchNormStatistics"/> says otherwise.
/// </summary>
public sealed class HessianAnalysis
{
    private readonly LandscapeRuntime runtime;
    private readonly CheckpointInfo checkpoint;
    private readonly HessianAnalysisOptions options;

    /// <exception cref="ArgumentException">The options are invalid (<see cref="HessianAnalysisOptions.Validate"/>).</exception>
    public HessianAnalysis(LandscapeRuntime runtime, CheckpointInfo checkpoint, HessianAnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.runtime = runtime;
        this.checkpoint = checkpoint;
        this.options = options;
    }

    /// <param name="hessianVectorProducts">Called after each Hessian-vector product with the count so far: the analysis has no fixed length, so progress is its work done.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public HessianAnalysisResult Run(Action<int>? hessianVectorProducts = null, CancellationToken cancellation = default)
    {
        using var data = DatasetCatalog.Load(runtime, options.Dataset, options.Device);
        using var model = CheckpointStore.LoadModel(runtime, checkpoint, options.Device);
        using var point = options.Directions.Count == 0 ? null : new SurfaceEvaluator(model, options.Directions[0], options.Directions.ElementAtOrDefault(1));
        point?.MoveTo(options.Alpha, options.Beta);
        if (options.BatchNormResetData is { } resetData)
        {
            using var reset = DatasetCatalog.Load(runtime, resetData, options.Device);
            BatchNormLayers.Recompute(model, reset, options.BatchSize, options.BatchNormResetBatches, cancellation);
        }
        // The loss the Hessian is of, computed as a surface computes it: the same data give the same value.
        var (loss, _) = Evaluation.Evaluate(model, data, options.BatchSize, options.LossFunction, cancellation);
        using var hessian = new HessianOperator(model, data, options.LossFunction, options.BatchSize,
            weightsOnly: !options.IncludeBiasAndNorm, float64: options.Float64, cancellation: cancellation, subset: options.Parameters);
        double[] Apply(double[] v)
        {
            var product = hessian.Apply(v);
            hessianVectorProducts?.Invoke(hessian.HessianVectorProducts);
            return product;
        }
        var solver = new LanczosEigensolver(Apply, hessian.Dimension) { RelativeTolerance = options.Tolerance, Seed = options.Seed, Cancellation = cancellation };
        var largest = solver.Largest(options.Top);
        var smallest = solver.Smallest(1);
        var layout = ParameterLayout.Of(runtime, checkpoint);
        var lengths = layout.Parameters.ToDictionary(p => p.Name, p => p.Length, StringComparer.Ordinal);
        var groups = options.GroupBy is { } by ? ParameterGroups.Of(hessian.ParameterNames, hessian.ParameterNames.Select(n => lengths[n]).ToArray(), by) : [];
        TraceEstimate? trace = null;
        GroupTrace[]? groupTraces = null;
        if (options.Trace || options.GroupBy is not null)
        {
            var (total, perGroup) = new HutchinsonTraceEstimator(Apply, hessian.Dimension) { Seed = options.Seed, Cancellation = cancellation }.Estimate(options.Probes, groups);
            trace = total;
            groupTraces = options.GroupBy is null ? null : groups.Zip(perGroup, (g, t) => new GroupTrace(g.Name, g.Length, t)).ToArray();
        }
        var groupSpectra = options.GroupSpectrum
            ? new GroupSpectrumEstimator(Apply, hessian.Dimension) { RelativeTolerance = options.Tolerance, Seed = options.Seed, Cancellation = cancellation }
                .Estimate(groups, options.Density ? (options.Runs, options.LanczosSteps) : null)
            : null;
        var density = options.Density
            ? new SpectralDensityEstimator(Apply, hessian.Dimension) { Seed = options.Seed, Cancellation = cancellation }.Estimate(options.Runs, options.LanczosSteps)
            : null;

        var bottom = options.Pair == HessianPair.TopBottom;
        double[][] vectors = bottom ? [largest.Eigenvectors[0], smallest.Eigenvectors[0]] : largest.Eigenvectors.Take(2).ToArray();
        double[] values = bottom ? [largest.Eigenvalues[0], smallest.Eigenvalues[0]] : largest.Eigenvalues.Take(2).ToArray();
        // Built as Get-LossSurface builds its random plane (same bias/BN choice), so the norms are that plane's.
        var scaleTo = options.ScaleSeed is { } seed
            ? vectors.Select((_, axis) => DirectionBuilder.Build(runtime, checkpoint, new DirectionRecipe
            {
                Seed = seed,
                Axis = axis,
                IgnoreBiasAndNorm = !options.IncludeBiasAndNorm,
                Parameters = options.Parameters,
                CheckpointSha256 = checkpoint.Metadata.StateSha256,
            })).ToArray()
            : null;
        var eigenvectors = EigenvectorDirections.Create(layout, hessian.ParameterNames, vectors, values, checkpoint.Metadata.StateSha256, scaleTo, options.Parameters);
        var file = options.EigenvectorFile
            ?? Path.Combine(Path.GetDirectoryName(checkpoint.StatePath)!, $"hessian-{string.Concat(eigenvectors.Select(e => e.Sha256[..8]))}.h5");
        DirectionStore.Write(file, layout, eigenvectors);
        return new HessianAnalysisResult(data.Count, loss, hessian.Dimension, largest, smallest, trace, density, hessian.HessianVectorProducts, eigenvectors, file) { GroupTraces = groupTraces, GroupSpectra = groupSpectra };
    }
}
