using LossLandscape.Core.Directions;

namespace LossLandscape.Core.PaperFiles;

/// <summary>What the paper code's PCA files hold.</summary>
/// <param name="Components">The principal components as directions (<see cref="DirectionKind.Pca"/>): x, then y when the file has one.</param>
/// <param name="ExplainedVarianceRatio">scikit-learn's <c>explained_variance_ratio_</c>.</param>
/// <param name="SingularValues">scikit-learn's <c>singular_values_</c>.</param>
/// <param name="ExplainedVariance">scikit-learn's <c>explained_variance_</c>, when the file has it.</param>
/// <param name="X">The projection file's <c>proj_xcoord</c> (null without a projection file).</param>
/// <param name="Y">The projection file's <c>proj_ycoord</c> (null without a projection file).</param>
public sealed record PaperPcaContent(
    IReadOnlyList<DirectionVector> Components,
    double[] ExplainedVarianceRatio,
    double[] SingularValues,
    double[]? ExplainedVariance,
    double[]? X,
    double[]? Y);
