using System.Diagnostics;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// The one way cmdlets report progress: throttled (at most every 200 ms, plus the final record),
/// with an ETA from the elapsed time and the fraction done.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static int nextActivityId = 1;

    private readonly Cmdlet cmdlet;
    private readonly string activity;
    private readonly int activityId = Interlocked.Increment(ref nextActivityId);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? lastWrite;

    public ProgressReporter(Cmdlet cmdlet, string activity)
    {
        this.cmdlet = cmdlet;
        this.activity = activity;
    }

    /// <param name="fraction">Work done so far, in [0, 1].</param>
    public void Report(string status, double fraction, string? operation = null)
    {
        var now = clock.Elapsed;
        if (now - lastWrite < Interval && fraction < 1) return;
        lastWrite = now;
        var record = new ProgressRecord(activityId, activity, status)
        {
            PercentComplete = (int)Math.Clamp(Math.Floor(fraction * 100), 0, 100),
            SecondsRemaining = fraction > 0 ? (int)Math.Round(now.TotalSeconds * (1 - fraction) / fraction) : -1,
            CurrentOperation = operation,
        };
        cmdlet.WriteProgress(record);
    }

    /// <summary>Progress of work whose total is unknown (a search that stops when it converges): a status, no percentage or ETA.</summary>
    public void Report(string status)
    {
        var now = clock.Elapsed;
        if (now - lastWrite < Interval) return;
        lastWrite = now;
        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, status));
    }

    public void Complete()
    {
        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
