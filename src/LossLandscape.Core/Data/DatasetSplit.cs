namespace LossLandscape.Core.Data;

public enum DatasetSplit
{
    Train,
    Test,
}
