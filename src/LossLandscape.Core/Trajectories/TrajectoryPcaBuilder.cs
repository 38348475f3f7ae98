using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Trajectories;

/// <summary>Runs <see cref="TrajectoryPca"/> on checkpoints: loads them, builds the rows, wraps the components as directions.</summary>
public static class TrajectoryPcaBuilder
{
    /// <param name="checkpoints">The trajectory (≥ 3), in the order to draw it.</param>
    /// <param name="reference">θ_ref, the plane's origin: by default the last checkpoint.</param>
    /// <param name="checkpointLoaded">Called with the count of checkpoints read so far, after each.</param>
    /// <exception cref="ArgumentException">Too few checkpoints, or checkpoints of different models.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was signalled; checked between checkpoints.</exception>
    public static TrajectoryPcaResult Compute(LandscapeRuntime runtime, IReadOnlyList<CheckpointInfo> checkpoints, CheckpointInfo? reference = null,
        bool includeBiasAndNorm = false, int components = 2, ProjectionMethod projection = ProjectionMethod.Orthogonal,
        Action<int>? checkpointLoaded = null, CancellationToken cancellation = default)
    {
        if (checkpoints.Count < 3) throw new ArgumentException($"A trajectory needs at least 3 checkpoints, got {checkpoints.Count}.");
        reference ??= checkpoints[^1];
        ParameterLayout layout;
        float[] origin;
        using (var model = CheckpointStore.LoadModel(runtime, reference))
        {
            layout = ParameterLayout.Of(model);
            origin = layout.FlattenParameters(model);
        }
        var masked = layout.Parameters.Where(e => !includeBiasAndNorm && e.Role != ParameterRole.Filter).ToArray();
        var rows = new List<float[]>(checkpoints.Count);
        foreach (var checkpoint in checkpoints)
        {
            cancellation.ThrowIfCancellationRequested();
            using var model = CheckpointStore.LoadModel(runtime, checkpoint);
            var current = ParameterLayout.Of(model);
            if (current.ParameterLength != layout.ParameterLength || !current.Parameters.Select(p => p.Name).SequenceEqual(layout.Parameters.Select(p => p.Name)))
                throw new ArgumentException($"{checkpoint.Name} has other parameters than the reference {reference.Name}: a trajectory must be one model.");
            var theta = current.FlattenParameters(model);
            var row = new float[theta.Length];
            for (var i = 0; i < row.Length; i++) row[i] = theta[i] - origin[i];
            foreach (var entry in masked) Array.Clear(row, (int)entry.Offset, (int)entry.Length);
            rows.Add(row);
            checkpointLoaded?.Invoke(rows.Count);
        }
        cancellation.ThrowIfCancellationRequested();

        var (ratios, singular, vectors) = TrajectoryPca.Decompose(rows, components);
        if (vectors.Length == 0)
            throw new ArgumentException($"The {checkpoints.Count} checkpoints do not move away from {reference.Name}{(includeBiasAndNorm ? "" : " in their filter weights")}: no principal component carries variance, so there is no direction to plot along.");
        var coordinates = rows.Select(r => TrajectoryPca.Project(r, vectors, projection)).ToArray();
        var directions = vectors.Select((v, axis) => new DirectionVector(
            new DirectionRecipe
            {
                Kind = DirectionKind.Pca,
                Axis = axis,
                Normalization = DirectionNormalization.None,
                IgnoreBiasAndNorm = !includeBiasAndNorm,
                CheckpointSha256 = reference.Metadata.StateSha256,
            },
            v.Select(d => (float)d).ToArray())).ToArray();
        return new TrajectoryPcaResult(checkpoints, reference, directions, ratios, singular,
            coordinates.Select(c => c.X).ToArray(), coordinates.Select(c => c.Y).ToArray());
    }
}
