using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;
using static TorchSharp.torch;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// The paper's curvature check at each grid point: λmax and λmin of the Hessian of the mean loss on
/// the first data set (parameters of dim > 1 only, as the paper's code, unless biases are included),
/// both by Lanczos on Hessian-vector products, and |λmin/λmax|. Values: max_eig, min_eig, eig_ratio.
/// </summary>
/// <param name="subset">Only these parameters' sub-block of the Hessian (-Parameter).</param>
public sealed class CurvatureMetric(LossFunction lossFunction, int batchSize, bool weightsOnly, double tolerance, ParameterSubset? subset = null) : IPointMetric
{
    /// <summary>The paper's code asks scipy's eigsh for tol = 1e-2.</summary>
    public const double PaperTolerance = 1e-2;

    public string Name => $"Curvature(tolerance {tolerance:G3}, {(weightsOnly ? "weights" : "all parameters")}{(subset is null ? "" : $" of {subset}")}, {lossFunction}, batch {batchSize})";

    public bool NeedsGradients => true;

    public IReadOnlyList<string> Keys(IReadOnlyList<SurfaceDataInfo> data) => ["max_eig", "min_eig", "eig_ratio"];

    public double[] Evaluate(nn.Module model, IReadOnlyList<PreloadedDataset> data, CancellationToken cancellation)
    {
        using var hessian = new HessianOperator(model, data[0], lossFunction, batchSize, weightsOnly, cancellation: cancellation, subset: subset);
        var solver = new LanczosEigensolver(hessian.Apply, hessian.Dimension) { RelativeTolerance = tolerance, Cancellation = cancellation };
        var largest = solver.Largest(1).Eigenvalues[0];
        var smallest = solver.Smallest(1).Eigenvalues[0];
        return [largest, smallest, largest == 0 ? double.NaN : Math.Abs(smallest / largest)];
    }
}
