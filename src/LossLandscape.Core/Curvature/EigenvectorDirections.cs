using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;

namespace LossLandscape.Core.Curvature;

/// <summary>Hessian eigenvectors as directions over all parameters (zero on those the Hessian left out).</summary>
public static class EigenvectorDirections
{
    /// <param name="chosenParameters">The operator's parameters, in the order its vectors concatenate them.</param>
    /// <param name="subset">The -Parameter subset the operator was restricted to, recorded in the directions' recipes.</param>
    public static DirectionVector[] Create(ParameterLayout layout, IReadOnlyList<string> chosenParameters, IReadOnlyList<double[]> eigenvectors, string checkpointSha256, ParameterSubset? subset = null)
    {
        var chosen = chosenParameters.ToHashSet(StringComparer.Ordinal);
        return eigenvectors.Select((vector, axis) =>
        {
            var flat = new float[layout.ParameterLength];
            var position = 0;
            foreach (var entry in layout.Parameters)
            {
                if (!chosen.Contains(entry.Name)) continue;
                for (var i = 0; i < entry.Length; i++) flat[entry.Offset + i] = (float)vector[position + i];
                position += (int)entry.Length;
            }
            if (position != vector.Length)
                throw new ArgumentException($"The eigenvector has {vector.Length} entries but the chosen parameters hold {position}.");
            return new DirectionVector(new DirectionRecipe
            {
                Kind = DirectionKind.Eigenvector,
                Axis = axis,
                Normalization = DirectionNormalization.None,
                IgnoreBiasAndNorm = chosen.Count < layout.Parameters.Count,
                Parameters = subset,
                CheckpointSha256 = checkpointSha256,
            }, flat);
        }).ToArray();
    }
}
