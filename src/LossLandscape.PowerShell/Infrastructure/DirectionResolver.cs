using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.PaperFiles;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Turns pipeline directions back into values, from their file or their recipe, and checks their hash.</summary>
internal static class DirectionResolver
{
    /// <exception cref="ArgumentException">The direction cannot be rebuilt for this checkpoint, or its values changed.</exception>
    public static DirectionVector Resolve(LandscapeDirection direction, CheckpointInfo checkpoint)
    {
        DirectionVector vector;
        if (direction.FilePath is not null)
        {
            using var model = CheckpointStore.LoadModel(checkpoint);
            var all = PaperDirectionFiles.Read(direction.FilePath, model, checkpoint.Metadata.StateSha256);
            vector = all.FirstOrDefault(d => d.Sha256 == direction.Sha256)
                ?? throw new ArgumentException($"'{direction.FilePath}' no longer holds the {direction.Axis} direction with SHA-256 {direction.Sha256}.");
        }
        else
        {
            var target = direction.TargetPath is null ? null : CheckpointStore.Read(direction.TargetPath);
            vector = DirectionBuilder.Build(checkpoint, direction.Recipe, target);
        }
        if (vector.Sha256 != direction.Sha256)
            throw new ArgumentException($"Rebuilding the {direction.Axis} direction gave different values (SHA-256 {vector.Sha256}, expected {direction.Sha256}): the checkpoint or a file changed since it was made.");
        return vector;
    }
}
