namespace LossLandscape.PowerShell.Types;

/// <summary>Which split(s) a surface is evaluated on. The paper computes the train split.</summary>
public enum SurfaceSplit
{
    Train,
    Test,
    Both,
}
