using System.Globalization;

namespace LossLandscape.Shell.Tests;

/// <summary>How one file fared in <see cref="ChildProcessReads"/>: its error id (null when it was read), category and seconds.</summary>
internal sealed record FileOutcome(string File, string? ErrorId, string? Category, double Seconds);

/// <summary>A child shell's reading of several files in one call: each file's outcome, the process's exit code and its peak resident memory.</summary>
internal sealed record ReadReport(int ExitCode, IReadOnlyList<FileOutcome> Files, long PeakResidentBytes, string StdErr)
{
    public FileOutcome this[string file] => Files.Single(f => f.File == file);
}

/// <summary>
/// Reads hostile files in a child shell, as a user's session would, so a file that crashes or hangs
/// the process fails the test instead of the test host. Each file is read by one command in one
/// pipeline of the same process, after the others: a file that takes the process down also loses
/// the next, which the caller checks. The child reports its own peak RSS (VmHWM) at the end.
/// </summary>
internal static class ChildProcessReads
{
    /// <param name="readOne">PowerShell that reads the file in <c>$file</c>, e.g. <c>Import-Checkpoint -LiteralPath $file -Architecture DigitsCnn</c>.</param>
    public static ReadReport Run(string readOne, IReadOnlyList<string> files, TimeSpan timeout, string? workingDirectory = null)
    {
        var script = $$"""
            foreach ($file in $args) {
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $failure = $null
                try { {{readOne}} -ErrorVariable +failure -ErrorAction SilentlyContinue | Out-Null } catch { $failure = @($_) }
                $first = @($failure)[0]
                $id = if ($first) { ($first.FullyQualifiedErrorId -split ',')[0] } else { '' }
                $category = if ($first) { $first.CategoryInfo.Category } else { '' }
                [Console]::Out.WriteLine(('FILE|{0}|{1}|{2}|{3}' -f [Uri]::EscapeDataString($file), $id, $category, $clock.Elapsed.TotalSeconds.ToString([Globalization.CultureInfo]::InvariantCulture)))
            }
            $peak = [System.IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_.StartsWith('VmHWM:') }
            [Console]::Out.WriteLine('PEAK|' + ($peak -replace '[^0-9]', ''))
            """;
        var result = ShellProcess.RunIn(workingDirectory, timeout, ["-CommandWithArgs", script, .. files]);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outcomes = lines.Where(l => l.StartsWith("FILE|", StringComparison.Ordinal)).Select(l => l.Split('|')).Select(f => new FileOutcome(
            Uri.UnescapeDataString(f[1]), f[2].Length == 0 ? null : f[2], f[3].Length == 0 ? null : f[3], double.Parse(f[4], CultureInfo.InvariantCulture))).ToArray();
        var peak = lines.Where(l => l.StartsWith("PEAK|", StringComparison.Ordinal)).Select(l => long.Parse(l[5..], CultureInfo.InvariantCulture) * 1024).FirstOrDefault(-1);
        return new ReadReport(result.ExitCode, outcomes, peak, result.StdErr);
    }
}
