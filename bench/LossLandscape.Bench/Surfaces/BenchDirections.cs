using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;

namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The directions Get-LossSurface makes when given none: filter-normalized random, biases and BN
/// zeroed, the default seed, x on axis 0 and y on axis 1. The parent (which exports them for the
/// reference) and every engine child build them alike, bit for bit.
/// </summary>
internal static class BenchDirections
{
    public static (DirectionVector X, DirectionVector? Y) Build(CheckpointInfo checkpoint, bool twoDimensional)
    {
        var recipe = new DirectionRecipe { CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        var x = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe);
        var y = twoDimensional ? DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe with { Axis = 1 }) : null;
        return (x, y);
    }
}
