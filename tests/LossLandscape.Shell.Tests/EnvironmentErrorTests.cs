namespace LossLandscape.Shell.Tests;

/// <summary>
/// Errors that come from the process's environment (what is on PATH, where libtorch is): each runs
/// in a child shell given that environment, since the test process's own is shared by every test.
/// Each prints "id|category|target" of the error it caught, so the assertions see the record itself.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnvironmentErrorTests : IDisposable
{
    private const string ShowError = """function Show($e) { '{0}|{1}|{2}' -f $e.FullyQualifiedErrorId.Split(',')[0], $e.CategoryInfo.Category, $e.TargetObject }""";

    /// <summary>Resume-LossSurfaceJob, then Wait-LossSurfaceJob, on the job folder $args[0]: "…|terminating" for an error that ended the command, "…|written" for one it wrote and went on.</summary>
    private const string ResumeThenWait = ShowError + """

        foreach ($command in 'Resume-LossSurfaceJob', 'Wait-LossSurfaceJob') {
            try {
                $e = $null
                & $command -JobFolder $args[0] -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null
                foreach ($record in $e) { (Show $record) + '|written' }
            }
            catch { (Show $_) + '|terminating' }
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("losslandscape-environment-");

    public void Dispose() => root.Delete(recursive: true);

    private string Combine(params string[] parts) => Path.Combine([root.FullName, .. parts]);

    [LinuxFact]
    public void AFolderWithoutLibTorchIsNativeRuntimeLoadFailedBeforeAnyCmdletRuns()
    {
        Directory.CreateDirectory(Combine("empty"));

        var result = ShellProcess.RunWithEnvironment(root.FullName, Patience, new Dictionary<string, string> { ["LOSSLANDSCAPE_LIBTORCH_DIR"] = Combine("empty") },
            "-Command", ShowError + "; try { Get-LandscapeSetting } catch { Show $_ }");

        Assert.Equal("NativeRuntimeLoadFailed|ResourceUnavailable|", result.StdOut.Trim());
    }

    [LinuxFact]
    public void WithoutSlurmOnPathResumeAndWaitAreSchedulerUnavailable()
    {
        var job = WriteJobWithoutShards();

        var lines = RunOnJob(Stubs("none", new Dictionary<string, string>()), job);

        Assert.Equal(
            [$"SchedulerUnavailable|ResourceUnavailable|{job}|terminating", $"SchedulerUnavailable|ResourceUnavailable|{job}|terminating"],
            lines);
    }

    [LinuxFact]
    public void AFailingSqueueIsSchedulerCommandFailedReportedByResumeAndEndingWait()
    {
        var job = WriteJobWithoutShards();
        const string Unreachable = "#!/bin/bash\necho 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n";

        var lines = RunOnJob(Stubs("unreachable", new Dictionary<string, string> { ["sbatch"] = Unreachable, ["squeue"] = Unreachable, ["scontrol"] = Unreachable, ["scancel"] = Unreachable }), job);

        Assert.Equal(
            [$"SchedulerCommandFailed|ResourceUnavailable|{job}|written", $"SchedulerCommandFailed|ResourceUnavailable|{job}|terminating"],
            lines);
    }

    [LinuxFact]
    public void AJobWhoseTasksAreGoneWithShardsMissingIsSurfaceJobIncompleteNamingTheJob()
    {
        var job = WriteJobWithoutShards();
        // Slurm has forgotten the jobs: nothing queued, and scontrol no longer knows the merge job (sbatch and scancel are there only because all four must be on PATH).
        var stubs = Stubs("forgotten", new Dictionary<string, string>
        {
            ["sbatch"] = "#!/bin/bash\nexit 1\n",
            ["squeue"] = "#!/bin/bash\nexit 0\n",
            ["scontrol"] = "#!/bin/bash\necho 'slurm_load_jobs error: Invalid job id specified' >&2\nexit 1\n",
            ["scancel"] = "#!/bin/bash\nexit 0\n",
        });

        var result = ShellProcess.RunWithEnvironment(root.FullName, Patience, new Dictionary<string, string> { ["PATH"] = stubs },
            "-CommandWithArgs", ShowError + """

                $e = $null
                $job = Wait-LossSurfaceJob -JobFolder $args[0] -ErrorVariable e -ErrorAction SilentlyContinue
                Show $e[0]
                ($e[0].TargetObject -eq $job) -and $job.State -eq 'Incomplete'
                """, job);

        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("SurfaceJobIncomplete|OperationStopped|Incomplete: 0/49 points in 4 shards", lines[0]);
        Assert.Equal("True", lines[1]);
    }

    private string[] RunOnJob(string path, string job)
    {
        var result = ShellProcess.RunWithEnvironment(root.FullName, Patience, new Dictionary<string, string> { ["PATH"] = path }, "-CommandWithArgs", ResumeThenWait, job);
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>A folder holding only the given Slurm commands, to be the child's whole PATH.</summary>
    private string Stubs(string name, IReadOnlyDictionary<string, string> commands)
    {
        var bin = Combine(name);
        Directory.CreateDirectory(bin);
        foreach (var (command, script) in commands)
        {
            File.WriteAllText(Path.Combine(bin, command), script);
            File.SetUnixFileMode(Path.Combine(bin, command), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return bin;
    }

    /// <summary>A job folder whose tasks never wrote a file (see <see cref="LossLandscape.PowerShell.Tests.UnstartedJob"/>).</summary>
    private string WriteJobWithoutShards()
    {
        var folder = Combine("job");
        LossLandscape.PowerShell.Tests.UnstartedJob.WriteManifest(folder);
        return folder;
    }
}
