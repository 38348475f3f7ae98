using System.Diagnostics;
using System.Management.Automation;
using System.Text;

namespace LossLandscape.Shell;

/// <summary>
/// Renders progress records as one line each: <c>[Activity] status · operation (42%) ETA 00:12</c>.
/// Training reports progress per batch, far faster than anyone reads, so each activity is shown at most
/// twice a second, plus a final line when it completes. On a terminal the line is redrawn in place;
/// in a log file every shown update is its own line.
/// </summary>
internal sealed class ProgressRenderer(TextWriter writer, bool redrawInPlace)
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(500);

    // Keyed by activity id alone: every Write-Progress call is a new command with a new source id, yet a
    // script's successive calls are one activity.
    private readonly Dictionary<int, (ProgressRecord Latest, long ShownAt)> _activities = [];
    private int _liveLineLength;

    public void Render(ProgressRecord record)
    {
        var key = record.ActivityId;
        if (record.RecordType == ProgressRecordType.Completed)
        {
            var latest = _activities.Remove(key, out var state) ? state.Latest : record;
            Show(Describe(latest, completed: true), final: true);
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (_activities.TryGetValue(key, out var shown) && Stopwatch.GetElapsedTime(shown.ShownAt, now) < MinimumInterval)
        {
            _activities[key] = (record, shown.ShownAt);
            return;
        }

        _activities[key] = (record, now);
        Show(Describe(record, completed: false), final: false);
    }

    /// <summary>Erases a line being redrawn in place, so that other output does not land in the middle of it.</summary>
    public void ClearLiveLine()
    {
        if (_liveLineLength == 0)
        {
            return;
        }

        writer.Write('\r' + new string(' ', _liveLineLength) + '\r');
        _liveLineLength = 0;
    }

    private void Show(string line, bool final)
    {
        if (!redrawInPlace)
        {
            writer.WriteLine(line);
            return;
        }

        // A line that wraps cannot be taken back with \r.
        var width = ShellRawUserInterface.Width - 1;
        if (line.Length > width)
        {
            line = line[..width];
        }

        writer.Write('\r' + line.PadRight(_liveLineLength));
        if (final)
        {
            writer.WriteLine();
            _liveLineLength = 0;
        }
        else
        {
            _liveLineLength = line.Length;
        }
    }

    private static string Describe(ProgressRecord record, bool completed)
    {
        var line = new StringBuilder().Append('[').Append(record.Activity).Append(']');
        var separator = " ";
        foreach (var part in new[] { record.StatusDescription, record.CurrentOperation, completed ? "done" : null })
        {
            if (!string.IsNullOrWhiteSpace(part))
            {
                line.Append(separator).Append(part);
                separator = " · ";
            }
        }

        if (!completed && record.PercentComplete >= 0)
        {
            line.Append($" ({record.PercentComplete}%)");
        }

        if (!completed && record.SecondsRemaining >= 0)
        {
            var remaining = TimeSpan.FromSeconds(record.SecondsRemaining);
            line.Append(" ETA ").Append(remaining.TotalHours >= 1 ? remaining.ToString(@"h\:mm\:ss") : remaining.ToString(@"mm\:ss"));
        }

        return line.ToString();
    }
}
