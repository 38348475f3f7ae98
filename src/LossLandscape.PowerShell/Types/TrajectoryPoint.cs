namespace LossLandscape.PowerShell.Types;

/// <summary>A checkpoint's place on the PCA plane.</summary>
public sealed record TrajectoryPoint(string Name, int? Epoch, double X, double Y)
{
    public override string ToString() => $"{Name}: ({X:G4}, {Y:G4})";
}
