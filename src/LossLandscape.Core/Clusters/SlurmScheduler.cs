using System.Diagnostics;
using System.Globalization;

namespace LossLandscape.Core.Clusters;

/// <summary>An array task or job as squeue lists it while it is pending or running.</summary>
public sealed record SlurmQueueEntry(string JobId, string ArrayJobId, int? ArrayTaskId, string State, string Reason)
{
    public bool IsRunning => State is "RUNNING" or "COMPLETING" or "CONFIGURING";
}

/// <summary>A job as scontrol shows it, also for a while after it ended (MinJobAge), so a merge's outcome is seen.</summary>
public sealed record SlurmJobRecord(string JobId, string State, string Reason, string? Dependency)
{
    public bool IsActive => State is "PENDING" or "RUNNING" or "COMPLETING" or "CONFIGURING" or "REQUEUED" or "SUSPENDED" or "RESIZING";
}

/// <summary>Slurm's client commands (sbatch, squeue, scontrol, scancel); no sacct, which needs an accounting daemon.</summary>
public interface ISlurmScheduler
{
    /// <summary>sbatch --parsable with <paramref name="arguments"/>; returns the job id.</summary>
    string Submit(IReadOnlyList<string> arguments);

    /// <summary>The pending and running jobs and array tasks (one entry per task) of these job ids.</summary>
    IReadOnlyList<SlurmQueueEntry> Queue(IReadOnlyCollection<string> jobIds);

    /// <summary>The job, or null when Slurm no longer knows it.</summary>
    SlurmJobRecord? Show(string jobId);

    void Cancel(string jobId);
}

/// <summary>The client commands are not on PATH.</summary>
public sealed class SchedulerUnavailableException(string message) : Exception(message);

/// <summary>A client command failed; the message holds its error output.</summary>
public sealed class SchedulerCommandException(string message) : Exception(message);

/// <summary>Parses what Slurm's client commands print (22.05 and later).</summary>
public static class SlurmOutput
{
    /// <summary>The squeue format <see cref="ParseQueue"/> reads: job id, array job id, array task id, state, reason.</summary>
    public const string QueueFormat = "%A|%F|%K|%T|%r";

    /// <summary>sbatch --parsable prints "id" or "id;cluster".</summary>
    /// <exception cref="SchedulerCommandException">No job id in the output.</exception>
    public static string ParseSubmission(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var id = line.Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new SchedulerCommandException($"sbatch printed no job id: '{output.Trim()}'.");
        return id;
    }

    public static IReadOnlyList<SlurmQueueEntry> ParseQueue(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(fields => fields.Length == 5)
            .Select(f => new SlurmQueueEntry(f[0], f[1], int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var task) ? task : null, f[3], f[4]))
            .ToArray();

    /// <summary>scontrol show job -o: one line of Key=Value fields.</summary>
    public static SlurmJobRecord? ParseShowJob(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith("JobId=", StringComparison.Ordinal));
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        return new SlurmJobRecord(fields["JobId"], fields.GetValueOrDefault("JobState", "UNKNOWN"), fields.GetValueOrDefault("Reason", "None"), fields.GetValueOrDefault("Dependency"));
    }
}

/// <summary>Runs Slurm's client commands found on PATH; SLURM_CONF and the rest of the environment are inherited.</summary>
public sealed class SlurmCli : ISlurmScheduler
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private const string UnknownJob = "Invalid job id specified";

    /// <exception cref="SchedulerUnavailableException">sbatch, squeue, scontrol or scancel is not on PATH.</exception>
    public SlurmCli()
    {
        var missing = new[] { "sbatch", "squeue", "scontrol", "scancel" }.Where(c => FindOnPath(c) is null).ToArray();
        if (missing.Length > 0)
            throw new SchedulerUnavailableException($"Slurm's client command(s) {string.Join(", ", missing)} are not on PATH: run this on a machine of the cluster (a login node), or install the client (Debian: apt-get install slurm-client).");
    }

    public string Submit(IReadOnlyList<string> arguments) => SlurmOutput.ParseSubmission(Run("sbatch", ["--parsable", .. arguments]).Output);

    public IReadOnlyList<SlurmQueueEntry> Queue(IReadOnlyCollection<string> jobIds)
    {
        if (jobIds.Count == 0) return [];
        var (exit, output, error) = Run("squeue", ["-h", "-r", "-j", string.Join(',', jobIds), "-o", SlurmOutput.QueueFormat], allowFailure: true);
        if (exit == 0) return SlurmOutput.ParseQueue(output);
        // Jobs that ended long enough ago are unknown to Slurm: nothing of them is queued.
        if (error.Contains(UnknownJob, StringComparison.Ordinal)) return [];
        throw new SchedulerCommandException($"squeue failed (exit {exit}): {error.Trim()}");
    }

    public SlurmJobRecord? Show(string jobId)
    {
        var (exit, output, error) = Run("scontrol", ["show", "job", "-o", jobId], allowFailure: true);
        if (exit == 0) return SlurmOutput.ParseShowJob(output);
        if (error.Contains(UnknownJob, StringComparison.Ordinal)) return null;
        throw new SchedulerCommandException($"scontrol show job {jobId} failed (exit {exit}): {error.Trim()}");
    }

    public void Cancel(string jobId) => Run("scancel", [jobId]);

    private static (int Exit, string Output, string Error) Run(string command, IReadOnlyList<string> arguments, bool allowFailure = false)
    {
        var start = new ProcessStartInfo(FindOnPath(command) ?? command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new SchedulerUnavailableException($"{command} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new SchedulerCommandException($"{command} {string.Join(' ', arguments)} did not answer within {CommandTimeout.TotalSeconds:F0} s: is slurmctld running?");
        }
        if (process.ExitCode != 0 && !allowFailure)
            throw new SchedulerCommandException($"{command} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error.Result.Trim()}");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command))
            .FirstOrDefault(File.Exists);
}
