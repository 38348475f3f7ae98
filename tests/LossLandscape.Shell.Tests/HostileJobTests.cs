using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LossLandscape.Shell.Tests;

/// <summary>
/// Surface jobs whose paths and names hold what a shell would run, against stub Slurm commands that
/// record each sbatch command line. The test then runs the submitted batch scripts with bash, as
/// sbatch would (in --chdir, with the array task id), and checks that nothing ran that the values
/// spell, that only the outputs appeared, and that the merge equals one process's file byte for byte.
/// Values no Slurm option holds (line breaks, NUL) are refused before anything is written.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostileJobTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Everything a shell or PowerShell would act on: separators, substitutions, backticks, the four Unicode single quotes, a line separator and a newline.</summary>
    private const string Hostile = "h ;$(touch PWNED1) `touch PWNED2` '\u2018q\u2019\u201a\u201b\u2028\nx";

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("losslandscape-hostile-");

    public void Dispose() => root.Delete(recursive: true);

    private string Combine(params string[] parts) => Path.Combine([root.FullName, .. parts]);

    private static string ShellDll => Path.Combine(AppContext.BaseDirectory, "losslandscape.dll");

    [LinuxFact]
    public void HostileFolderOutFileCheckpointAndJobNameRunAsDataAndMergeToTheBytesOfOneProcess()
    {
        var clean = TrainCheckpoint();
        var hostileCheckpointFolder = Combine(Hostile);
        Directory.CreateDirectory(hostileCheckpointFolder);
        foreach (var file in Directory.GetFiles(clean)) File.Copy(file, Path.Combine(hostileCheckpointFolder, Path.GetFileName(file)));
        var jobFolder = Path.Combine(hostileCheckpointFolder, "job " + Hostile);
        var outFile = Path.Combine(hostileCheckpointFolder, "out " + Hostile + ".h5");
        var (stubs, log) = StubSlurm();

        var start = Shell(stubs, "-CommandWithArgs",
            "Import-Checkpoint -Path $args[0] | Start-LossSurfaceJob -JobFolder $args[1] -OutFile $args[2] -JobName $args[3] -ShellPath $args[4] -ShardCount 3 -Steps 5 -Dataset (Get-LandscapeDataset -Name Digits -MaxSamples 100 -SubsetSeed 4) | Out-Null",
            Path.Combine(hostileCheckpointFolder, "epoch-001.dat"), jobFolder, outFile, "name " + Hostile.Replace("\n", "", StringComparison.Ordinal), ShellDll);
        Assert.True(start.ExitCode == 0, start.StdErr);
        Assert.Equal(["directions.h5", "job.json", "logs", "merge.sbatch", "shard.sbatch", "spec.json"], Directory.GetFileSystemEntries(jobFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // The data set object travels inside the spec, subset and all.
        using (var spec = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(jobFolder, "spec.json"))))
        {
            var data = spec.RootElement.GetProperty("surface").GetProperty("evaluation").GetProperty("data");
            Assert.Equal("Digits", data.GetProperty("name").GetString());
            Assert.Equal(100, data.GetProperty("maxSamples").GetInt32());
            Assert.Equal(4, data.GetProperty("subsetSeed").GetInt64());
        }

        var submissions = Directory.GetFiles(log).Order(StringComparer.Ordinal).Select(ReadArguments).ToArray();
        Assert.Equal(2, submissions.Length);
        Assert.Contains("--array=0,1,2", submissions[0]);
        Assert.Contains("--dependency=afterok:100", submissions[1]);
        Assert.All(submissions, s => Assert.Contains("--chdir=" + jobFolder, s));
        Assert.Contains("--job-name=name " + Hostile.Replace("\n", "", StringComparison.Ordinal) + "-shard", submissions[0]);

        var before = Snapshot();
        for (var task = 0; task < 3; task++)
        {
            var ran = RunBatchScript(submissions[0], task);
            Assert.True(ran.ExitCode == 0, ran.StdErr);
            Assert.Contains($"Shard {task} of 3: device cpu; 1 worker(s)", ran.StdErr);
        }
        var merged = RunBatchScript(submissions[1], null);
        Assert.True(merged.ExitCode == 0, merged.StdErr);

        var appeared = Snapshot().Except(before).Order(StringComparer.Ordinal);
        var outputs = Enumerable.Range(0, 3).Select(k => Path.Combine(jobFolder, $"shard-{k}.h5")).Append(outFile).Order(StringComparer.Ordinal);
        Assert.Equal(outputs, appeared);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "PWNED*"));

        // The same surface in one process, from the clean copy of the checkpoint and the job's directions.
        File.Copy(Path.Combine(jobFolder, "directions.h5"), Combine("directions.h5"));
        var single = Shell(stubs, "-CommandWithArgs",
            "$c = Import-Checkpoint -Path $args[0]; $d = Import-LandscapeDirection -Path $args[1] -Checkpoint $c; $c | Get-LossSurface -Direction $d -Steps 5 -MaxSamples 100 -SubsetSeed 4 -OutFile $args[2] | Out-Null",
            Path.Combine(clean, "epoch-001.dat"), Combine("directions.h5"), Combine("single.h5"));
        Assert.True(single.ExitCode == 0, single.StdErr);
        Assert.Equal(File.ReadAllBytes(Combine("single.h5")), File.ReadAllBytes(outFile));
    }

    [LinuxFact]
    public void ALineBreakOrNulInASlurmOptionIsRefusedBeforeAnythingIsWrittenOrSubmitted()
    {
        var clean = TrainCheckpoint();
        var (stubs, log) = StubSlurm();
        // Each case is one splat; the values are built by PowerShell ("`n", "`r", "`0"), since a NUL cannot travel in argv.
        const string Cases = """
            $cases = @(
                @{ JobName = "a`nb" }, @{ JobName = "a`rb" }, @{ JobName = "a`0b" },
                @{ Partition = "cpu`n#SBATCH --wrap=id" }, @{ Partition = "cpu`r" }, @{ Partition = "c`0" },
                @{ TimeLimit = "10`ntouch x" }, @{ TimeLimit = "10`r" }, @{ TimeLimit = "1`00" },
                @{ SbatchArgument = @('--mem=1G', "--comment=a`nb") }, @{ SbatchArgument = @("--x=`r") }, @{ SbatchArgument = @("--y=`0") }
            )
            $c = Import-Checkpoint -Path $args[0]
            foreach ($case in $cases) {
                $e = $null
                $c | Start-LossSurfaceJob -JobFolder $args[1] -ShardCount 2 -Steps 3 -ShellPath $args[2] @case -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null
                $value = @($case.Values)[0]
                if ($value -is [array]) { $value = $value[-1] }
                '{0}|{1}|{2}' -f $e[0].FullyQualifiedErrorId, $e[0].CategoryInfo.Category, ($e[0].TargetObject -ceq $value)
            }
            """;

        var refused = Shell(stubs, "-CommandWithArgs", Cases, Path.Combine(clean, "epoch-001.dat"), Combine("refused"), ShellDll);

        // The refusals are errors (silenced per case), so the command's exit code says it had errors; the lines say which.
        var lines = refused.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(12, lines.Length);
        Assert.All(lines, line => Assert.Equal("SurfaceJobArgumentInvalid,LossLandscape.PowerShell.Commands.StartLossSurfaceJobCommand|InvalidArgument|True", line));
        Assert.False(Directory.Exists(Combine("refused")));
        Assert.Empty(Directory.GetFiles(log));
    }

    private string TrainCheckpoint()
    {
        var folder = Combine("clean");
        var train = ShellProcess.RunIn(root.FullName, Patience, "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory clean | Out-Null");
        Assert.True(train.ExitCode == 0, train.StdErr);
        return folder;
    }

    /// <summary>sbatch that writes its arguments (NUL-separated) to the log folder and prints job ids 100, 101, …; squeue, scontrol and scancel that know no job.</summary>
    private (string Bin, string Log) StubSlurm()
    {
        var bin = Combine("stub-bin");
        var log = Combine("stub-log");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(log);
        File.WriteAllText(Path.Combine(bin, "sbatch"), "#!/bin/bash\nid=$((100 + $(ls \"$STUB_SLURM_LOG\" | wc -l)))\nprintf '%s\\0' \"$@\" > \"$STUB_SLURM_LOG/sbatch-$id\"\necho \"$id\"\n");
        foreach (var command in new[] { "squeue", "scontrol", "scancel" }) File.WriteAllText(Path.Combine(bin, command), "#!/bin/bash\nexit 0\n");
        foreach (var file in Directory.GetFiles(bin)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (bin, log);
    }

    private static string[] ReadArguments(string file) => Encoding.UTF8.GetString(File.ReadAllBytes(file)).Split('\0')[..^1];

    private ShellResult Shell(string stubs, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = stubs + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["STUB_SLURM_LOG"] = Combine("stub-log"),
        };
        var result = ShellProcess.RunWithEnvironment(root.FullName, Patience, environment, arguments);
        output.WriteLine(result.StdOut);
        output.WriteLine(result.StdErr);
        return result;
    }

    /// <summary>What sbatch would do with <paramref name="submission"/>: run its script with bash in --chdir, with its arguments, as array task <paramref name="task"/>.</summary>
    private ShellResult RunBatchScript(string[] submission, int? task)
    {
        var scriptIndex = Array.FindIndex(submission, a => a.EndsWith(".sbatch", StringComparison.Ordinal));
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = submission.Single(a => a.StartsWith("--chdir=", StringComparison.Ordinal))["--chdir=".Length..],
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in submission[scriptIndex..]) start.ArgumentList.Add(argument);
        start.Environment["SLURM_CPUS_PER_TASK"] = "1";
        if (task is { } k) start.Environment["SLURM_ARRAY_TASK_ID"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("LOSSLANDSCAPE_MODULE");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{submission[scriptIndex]} ran longer than {Patience}.");
        }
        output.WriteLine(stderr.Result);
        return new ShellResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Every file under the test's folder and the working folder of this process, and PWNED files in the temp folder.</summary>
    private HashSet<string> Snapshot() =>
        Directory.EnumerateFiles(root.FullName, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Environment.CurrentDirectory, "PWNED*"))
            .ToHashSet(StringComparer.Ordinal);
}
