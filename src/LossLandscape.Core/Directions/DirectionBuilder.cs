using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Directions;

/// <summary>Builds a direction from its recipe and the checkpoint(s) it refers to.</summary>
public static class DirectionBuilder
{
    /// <param name="target">θ_target for <see cref="DirectionKind.Target"/> recipes.</param>
    /// <param name="bend">θ_bend for <see cref="DirectionKind.CurvePlane"/> recipes.</param>
    /// <exception cref="ArgumentException">The recipe does not belong to these checkpoints, or asks for Head normalization of a checkpoint that records no attention heads (refused before the model is loaded).</exception>
    public static DirectionVector Build(LandscapeRuntime runtime, CheckpointInfo checkpoint, DirectionRecipe recipe, CheckpointInfo? target = null, CheckpointInfo? bend = null)
    {
        if (recipe.CheckpointSha256 != checkpoint.Metadata.StateSha256)
            throw new ArgumentException($"The direction was made for the checkpoint with SHA-256 {recipe.CheckpointSha256}, not {checkpoint.Name} ({checkpoint.Metadata.StateSha256}).");
        if (recipe.Kind == DirectionKind.File)
            throw new ArgumentException("A direction read from a file can only be read from that file again.");
        if (recipe.Orthogonalized && recipe.Axis == 0)
            throw new ArgumentException("Only the second (y) direction can be orthogonalized, against the first.");
        var headCount = checkpoint.Metadata.Model.HeadCount;
        if (recipe.Normalization == DirectionNormalization.Head && headCount <= 0)
            throw new ArgumentException(checkpoint.Format == CheckpointFormat.TorchScript
                ? $"-Normalization Head needs the number of attention heads (n_head), which a TorchScript file does not record; {checkpoint.Name} can take Filter, which treats GPT-2's Conv1D and embedding weights per output unit."
                : $"-Normalization Head splits the attention weights of a Gpt model by head; {checkpoint.Name} is a {checkpoint.Metadata.Model.Architecture}, which has no attention heads: use Filter.");
        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        if (recipe.Kind == DirectionKind.CurvePlane)
        {
            if (target is null || bend is null) throw new ArgumentException("A curve-plane direction needs the target and the bend checkpoints.");
            if ((recipe.TargetSha256 is not null && recipe.TargetSha256 != target.Metadata.StateSha256) || (recipe.BendSha256 is not null && recipe.BendSha256 != bend.Metadata.StateSha256))
                throw new ArgumentException($"The direction was made for another target or bend than {target.Name} and {bend.Name}.");
            if (!checkpoint.Metadata.Model.Equals(target.Metadata.Model) || !checkpoint.Metadata.Model.Equals(bend.Metadata.Model))
                throw new ArgumentException($"{checkpoint.Name}, {target.Name} and {bend.Name} are not all of one architecture.");
            using var targetModel = CheckpointStore.LoadModel(runtime, target);
            using var bendModel = CheckpointStore.LoadModel(runtime, bend);
            // The recorded curve wins on a rebuild; a new plane takes the curve the bend was trained for.
            var curve = recipe.Plane?.Curve ?? bend.Metadata.CurveTraining?.Curve ?? Connectivity.CurveKind.Bezier;
            return DirectionFactory.CurvePlane(model, targetModel, bendModel, recipe with { TargetSha256 = target.Metadata.StateSha256, BendSha256 = bend.Metadata.StateSha256 }, curve);
        }
        if (recipe.Kind == DirectionKind.Target)
        {
            if (target is null) throw new ArgumentException("A target direction needs the target checkpoint.");
            if (recipe.TargetSha256 is not null && recipe.TargetSha256 != target.Metadata.StateSha256)
                throw new ArgumentException($"The direction was made towards the checkpoint with SHA-256 {recipe.TargetSha256}, not {target.Name}.");
            if (!checkpoint.Metadata.Model.Equals(target.Metadata.Model))
                throw new ArgumentException($"{checkpoint.Name} ({checkpoint.Metadata.Model.Architecture}) and {target.Name} ({target.Metadata.Model.Architecture}) are different architectures.");
            using var targetModel = CheckpointStore.LoadModel(runtime, target);
            return DirectionFactory.Target(model, targetModel, recipe with { TargetSha256 = target.Metadata.StateSha256 });
        }
        if (!recipe.Orthogonalized) return DirectionFactory.Random(model, recipe, headCount);
        var raw = DirectionFactory.Random(model, recipe with { Orthogonalized = false }, headCount);
        var reference = DirectionFactory.Random(model, recipe with { Orthogonalized = false, Axis = 0 }, headCount);
        return DirectionFactory.Orthogonalize(raw, reference);
    }
}
