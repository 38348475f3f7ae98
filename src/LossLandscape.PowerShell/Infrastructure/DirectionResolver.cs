using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.PaperFiles;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Turns pipeline directions back into values, from their file or their recipe, and checks their hash.</summary>
internal static class DirectionResolver
{
    /// <exception cref="ArgumentException">The direction cannot be rebuilt for this checkpoint, or its values changed.</exception>
    public static DirectionVector Resolve(LandscapeRuntime runtime, LandscapeDirection direction, CheckpointInfo checkpoint)
    {
        DirectionVector vector;
        if (direction.FilePath is not null)
        {
            using var model = CheckpointStore.LoadModel(runtime, checkpoint);
            var all = PaperDirectionFiles.Read(direction.FilePath, model, checkpoint.Metadata.StateSha256);
            vector = all.FirstOrDefault(d => d.Sha256 == direction.Sha256)
                ?? throw new ArgumentException($"'{direction.FilePath}' no longer holds the {direction.Axis} direction with SHA-256 {direction.Sha256}.");
        }
        else
        {
            var target = direction.TargetPath is null ? null : CheckpointStore.Read(runtime, direction.TargetPath);
            vector = DirectionBuilder.Build(runtime, checkpoint, direction.Recipe, target);
        }
        if (vector.Sha256 != direction.Sha256)
            throw new ArgumentException($"Rebuilding the {direction.Axis} direction gave different values (SHA-256 {vector.Sha256}, expected {direction.Sha256}): the checkpoint or a file changed since it was made.");
        return vector;
    }

    /// <summary>A surface's dimensions: -Dimensions when given, else 1 for one direction and 2 otherwise.</summary>
    public static int SurfaceDimensions(int? dimensions, LandscapeDirection[]? given) => dimensions ?? (given is { Length: 1 } ? 1 : 2);

    /// <summary>
    /// A surface's directions: the given ones, resolved; or, when none are given, random ones built
    /// from <paramref name="random"/> (axis 0, and axis 1 for 2D, orthogonalized on request).
    /// </summary>
    /// <exception cref="ArgumentException">A direction cannot be resolved, or their number does not fit the dimensions.</exception>
    public static List<DirectionVector> ForSurface(LandscapeRuntime runtime, LandscapeDirection[]? given, int dimensions, CheckpointInfo checkpoint, DirectionRecipe random, bool orthogonalize)
    {
        var directions = (given ?? []).Select(d => Resolve(runtime, d, checkpoint)).ToList();
        if (directions.Count > 2) throw new ArgumentException($"-Direction takes one or two directions, got {directions.Count}.");
        if (directions.Count > dimensions) throw new ArgumentException($"{directions.Count} directions were given for a {dimensions}D surface.");
        if (directions.Count == 1 && dimensions == 2) throw new ArgumentException("A 2D surface needs two directions; give both or none.");
        if (directions.Count == 0)
        {
            directions.Add(DirectionBuilder.Build(runtime, checkpoint, random));
            if (dimensions == 2) directions.Add(DirectionBuilder.Build(runtime, checkpoint, random with { Axis = 1, Orthogonalized = orthogonalize }));
        }
        return directions;
    }
}
