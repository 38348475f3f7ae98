namespace LossLandscape.PowerShell.Types;

/// <summary>A checkpoint's place on the PCA plane.</summary>
public sealed record TrajectoryPoint(string Name, int? Epoch, double X, double Y)
{
    /// <summary>The optimizer step of a checkpoint from a step-based run (which has no epoch).</summary>
    public long? Step { get; init; }

    public override string ToString() => $"{Name}: ({X:G4}, {Y:G4})";
}
