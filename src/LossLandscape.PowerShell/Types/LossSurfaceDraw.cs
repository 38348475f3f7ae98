namespace LossLandscape.PowerShell.Types;

/// <summary>
/// One direction draw of a surface computed with -DirectionCount: the line or plane along the random
/// directions of <see cref="Seed"/>. Grids are shaped like the surface's ([y, x], or [x] for a line).
/// </summary>
public sealed class LossSurfaceDraw
{
    internal LossSurfaceDraw(int index, long seed, Func<string, Array?> grid, double curvature, double? yCurvature)
    {
        Index = index;
        Seed = seed;
        TrainLoss = grid("train_loss");
        TrainAccuracy = grid("train_acc");
        TestLoss = grid("test_loss");
        TestAccuracy = grid("test_acc");
        Curvature = curvature;
        YCurvature = yCurvature;
    }

    /// <summary>k: 0 is the surface's own draw.</summary>
    public int Index { get; }

    /// <summary>The direction seed: the surface's -Seed plus <see cref="Index"/>.</summary>
    public long Seed { get; }

    public Array? TrainLoss { get; }

    public Array? TrainAccuracy { get; }

    public Array? TestLoss { get; }

    public Array? TestAccuracy { get; }

    /// <summary>δᵀHδ at θ* along this draw's x direction (Get-LandscapeSharpness's DirectionCurvature for this seed).</summary>
    public double Curvature { get; }

    /// <summary>δᵀHδ along the y direction; null for a line.</summary>
    public double? YCurvature { get; }

    public override string ToString() => $"draw {Index} (seed {Seed}), δᵀHδ {Curvature:G5}" + (YCurvature is { } y ? $" / {y:G5}" : "");
}
