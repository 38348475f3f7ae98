using LossLandscape.Core.Trajectories;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// The PCA plane of a training trajectory. Piped to Get-LossSurface it binds by property name:
/// <see cref="Checkpoint"/> (θ_ref), <see cref="Direction"/> (the components) and <see cref="XRange"/>/
/// <see cref="YRange"/> (the path's extent plus a 15% margin on each side).
/// </summary>
public sealed class TrajectoryPca
{
    /// <summary>Fraction of each side of the path's extent added around it (the extent includes θ_ref at 0).</summary>
    public const double Margin = 0.15;

    /// <param name="pointNames">Names of the points when they are not the checkpoints' (an imported projection).</param>
    internal TrajectoryPca(TrajectoryPcaResult result, Checkpoint reference, LandscapeDirection[] directions, string[]? pointNames = null)
    {
        Result = result;
        Checkpoint = reference;
        Direction = directions;
        Points = result.Checkpoints.Select((c, i) => pointNames is null
            ? new TrajectoryPoint(c.Name, c.Metadata.Epoch, result.X[i], result.Y[i]) { Step = c.Metadata.Step }
            : new TrajectoryPoint(pointNames[i], null, result.X[i], result.Y[i])).ToArray();
        XRange = result.X.Length == 0 ? [-1, 1] : Extent(result.X);
        YRange = directions.Length > 1 ? (result.Y.Length == 0 ? [-1, 1] : Extent(result.Y)) : null;
    }

    internal TrajectoryPcaResult Result { get; }

    /// <summary>θ_ref, the origin of the plane.</summary>
    public Checkpoint Checkpoint { get; }

    public LandscapeDirection[] Direction { get; }

    public double[] ExplainedVarianceRatio => Result.ExplainedVarianceRatio;

    public double[] SingularValues => Result.SingularValues;

    public TrajectoryPoint[] Points { get; }

    public double[] XRange { get; }

    public double[]? YRange { get; }

    /// <summary>The HDF5 direction file holding the components; FilePath is an alias (LossLandscape.Types.ps1xml).</summary>
    public string? Path => Direction.FirstOrDefault()?.Path;

    public override string ToString() =>
        $"PCA of {Points.Length} checkpoints: explained variance {string.Join(", ", ExplainedVarianceRatio.Select(r => r.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)))}";

    private static double[] Extent(double[] values)
    {
        var low = Math.Min(values.Min(), 0);
        var high = Math.Max(values.Max(), 0);
        var pad = Margin * (high - low);
        return pad == 0 ? [-1, 1] : [low - pad, high + pad];
    }
}
