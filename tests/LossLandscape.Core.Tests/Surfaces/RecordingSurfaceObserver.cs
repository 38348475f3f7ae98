using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>Records progress; optionally cancels after a number of points, like Ctrl+C would.</summary>
internal sealed class RecordingSurfaceObserver(CancellationTokenSource? cancelAfter = null, int points = int.MaxValue) : ISurfaceObserver
{
    public List<SurfaceProgress> Points { get; } = [];

    public List<string> Messages { get; } = [];

    public void PointCompleted(SurfaceProgress progress)
    {
        Points.Add(progress);
        if (Points.Count >= points) cancelAfter?.Cancel();
    }

    public void Verbose(string message) => Messages.Add(message);
}
