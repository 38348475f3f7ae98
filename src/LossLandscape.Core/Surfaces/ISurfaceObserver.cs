namespace LossLandscape.Core.Surfaces;

/// <summary>How a surface computation reports to its host. Called on the thread that called Compute.</summary>
public interface ISurfaceObserver
{
    void PointCompleted(SurfaceProgress progress);

    void Verbose(string message);
}
