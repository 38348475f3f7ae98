using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Curvature;

/// <summary>Hessian eigenvectors as directions over all parameters (zero on those the Hessian left out).</summary>
public static class EigenvectorDirections
{
    /// <param name="chosenParameters">The operator's parameters, in the order its vectors concatenate them.</param>
    /// <param name="eigenvectors">Unit eigenvectors, one per axis.</param>
    /// <param name="eigenvalues">Their eigenvalues, recorded in the recipes.</param>
    /// <param name="scaleTo">
    /// Null: the directions stay unit vectors. Otherwise one random direction per axis whose global norm
    /// that axis's eigenvector is rescaled to (<see cref="DirectionNormalization.RandomNorm"/>).
    /// </param>
    /// <param name="subset">The -Parameter subset the operator was restricted to, recorded in the directions' recipes.</param>
    public static DirectionVector[] Create(ParameterLayout layout, IReadOnlyList<string> chosenParameters, IReadOnlyList<double[]> eigenvectors,
        IReadOnlyList<double> eigenvalues, string checkpointSha256, IReadOnlyList<DirectionVector>? scaleTo = null, ParameterSubset? subset = null)
    {
        if (eigenvalues.Count != eigenvectors.Count)
            throw new ArgumentException($"{eigenvectors.Count} eigenvectors came with {eigenvalues.Count} eigenvalues.", nameof(eigenvalues));
        if (scaleTo is not null && scaleTo.Count < eigenvectors.Count)
            throw new ArgumentException($"{eigenvectors.Count} eigenvectors need as many random directions to take their norms from, got {scaleTo.Count}.", nameof(scaleTo));
        var chosen = chosenParameters.ToHashSet(StringComparer.Ordinal);
        return eigenvectors.Select((vector, axis) =>
        {
            var reference = scaleTo?[axis];
            // Computed rather than assumed 1, so a Ritz vector a rounding away from unit norm still lands on the reference norm.
            var scale = reference is null ? 1.0 : reference.Norm / DenseVector.Norm(vector);
            var flat = new float[layout.ParameterLength];
            var position = 0;
            foreach (var entry in layout.Parameters)
            {
                if (!chosen.Contains(entry.Name)) continue;
                for (var i = 0; i < entry.Length; i++) flat[entry.Offset + i] = (float)(scale * vector[position + i]);
                position += (int)entry.Length;
            }
            if (position != vector.Length)
                throw new ArgumentException($"The eigenvector has {vector.Length} entries but the chosen parameters hold {position}.");
            return new DirectionVector(new DirectionRecipe
            {
                Kind = DirectionKind.Eigenvector,
                Axis = axis,
                Normalization = reference is null ? DirectionNormalization.None : DirectionNormalization.RandomNorm,
                Seed = reference?.Recipe.Seed ?? DirectionRecipe.DefaultSeed,
                IgnoreBiasAndNorm = chosen.Count < layout.Parameters.Count,
                Parameters = subset,
                CheckpointSha256 = checkpointSha256,
                Eigenvalue = eigenvalues[axis],
            }, flat);
        }).ToArray();
    }
}
