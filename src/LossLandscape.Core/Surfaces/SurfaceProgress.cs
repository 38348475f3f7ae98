namespace LossLandscape.Core.Surfaces;

/// <summary>A finished grid point: how many of the total are done, where it is and its first loss.</summary>
public sealed record SurfaceProgress(int Done, int Total, int Index, double Alpha, double Beta, double Loss)
{
    public double Fraction => Total == 0 ? 1 : Done / (double)Total;
}
