using System.Management.Automation;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Reports a surface computation as progress records and verbose messages of the cmdlet running it.</summary>
internal sealed class CmdletSurfaceObserver(Cmdlet cmdlet, string activity) : ISurfaceObserver
{
    private readonly ProgressReporter progress = new(cmdlet, activity);

    public void PointCompleted(SurfaceProgress p) =>
        progress.Report($"Point {p.Done}/{p.Total} · (α, β) = ({p.Alpha:F3}, {p.Beta:F3}) · loss {p.Loss:G5}", p.Fraction);

    public void Verbose(string message) => cmdlet.WriteVerbose(message);

    public void Complete() => progress.Complete();
}
