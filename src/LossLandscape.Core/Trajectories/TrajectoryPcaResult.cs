using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Trajectories;

/// <param name="Checkpoints">The trajectory, in order (by epoch, else as given).</param>
/// <param name="Reference">θ_ref: the origin of the plane.</param>
/// <param name="Components">The leading principal components that carry variance (at most two), unit norm.</param>
/// <param name="ExplainedVarianceRatio">For the first k components asked for; 0 for those without variance.</param>
/// <param name="SingularValues">Of the mean-centred trajectory matrix, as scikit-learn reports them.</param>
/// <param name="X">Each checkpoint's coordinate along the first component.</param>
/// <param name="Y">Along the second (zeros when only one component carries variance).</param>
public sealed record TrajectoryPcaResult(
    IReadOnlyList<CheckpointInfo> Checkpoints,
    CheckpointInfo Reference,
    IReadOnlyList<DirectionVector> Components,
    double[] ExplainedVarianceRatio,
    double[] SingularValues,
    double[] X,
    double[] Y);
