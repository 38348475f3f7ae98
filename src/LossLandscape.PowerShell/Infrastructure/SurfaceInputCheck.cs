using System.Management.Automation;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Checks of one Get-LossSurface input that need no model: made before any direction is rebuilt
/// or data read, so a mistake costs nothing and names what is wrong.
/// </summary>
internal static class SurfaceInputCheck
{
    /// <returns>The error for the first problem found, or null when the input may be computed.</returns>
    public static ErrorRecord? FirstProblem(Checkpoint checkpoint, LandscapeDirection[]? directions, double[] xRange, double[]? yRange)
    {
        var sha256 = checkpoint.Info.Metadata.StateSha256;
        foreach (var direction in directions ?? [])
        {
            if (direction.CheckpointSha256 == sha256) continue;
            var problem = new ArgumentException($"The {direction.Axis} direction was made for the checkpoint '{direction.CheckpointPath}' (θ* SHA-256 {Short(direction.CheckpointSha256)}), not for '{checkpoint.Path}' (SHA-256 {Short(sha256)}). Make the directions from this checkpoint.");
            return new ErrorRecord(problem, ErrorIds.DirectionCheckpointMismatch, ErrorCategory.InvalidArgument, direction);
        }
        if (directions is { Length: 2 } && directions[0].Sha256 == directions[1].Sha256)
        {
            var problem = new ArgumentException($"The x and y directions are the same vector (SHA-256 {Short(directions[0].Sha256)}): the surface would only vary along one line. Give two different directions.");
            return new ErrorRecord(problem, ErrorIds.DirectionsIdentical, ErrorCategory.InvalidArgument, directions[1]);
        }
        foreach (var (axis, range) in new[] { ("x", xRange), ("y", yRange) })
        {
            if (range is null || (double.IsFinite(range[0]) && double.IsFinite(range[1]) && range[0] < range[1])) continue;
            var shape = range[0] == range[1] ? "has zero width" : range[0] > range[1] ? "is reversed" : "is not finite";
            var problem = new ArgumentException($"The {axis} range {range[0]}, {range[1]} {shape}: give two finite numbers, the smaller first (e.g. -1, 1).");
            return new ErrorRecord(problem, ErrorIds.SurfaceRangeInvalid, ErrorCategory.InvalidArgument, range);
        }
        return null;
    }

    private static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] + "…" : sha256;
}
