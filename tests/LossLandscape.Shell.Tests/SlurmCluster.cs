using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace LossLandscape.Shell.Tests;

/// <summary>A fact that runs on Linux only: Slurm has no other platform.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Slurm runs on Linux only.";
    }
}

/// <summary>
/// A one-node Slurm cluster on this machine (Debian's slurm-wlm and munge, as root): munged (reused
/// when it already runs), slurmctld and slurmd with a slurm.conf in a temporary folder on free ports,
/// and a DigitsCnn checkpoint to compute surfaces of. Disposing stops the daemons it started, by their
/// process ids.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private const string MungePidFile = "/run/munge/munged.pid";
    private const string MungeKey = "/etc/munge/munge.key";

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-slurm-");
    private readonly List<int> started = [];

    public SlurmCluster()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var daemon in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch" })
        {
            if (!File.Exists(daemon)) throw new InvalidOperationException($"{daemon} is missing: the Slurm tests need Debian's Slurm and munge (apt-get install -y slurm-wlm munge; .ci/run installs them).");
        }
        if (System.Environment.UserName != "root") throw new InvalidOperationException("The Slurm tests start slurmctld, slurmd and munged, which needs root (as in CI).");
        try
        {
            StartMunge();
            Configuration = WriteConfiguration();
            Environment = new Dictionary<string, string> { ["SLURM_CONF"] = Configuration };
            Run("/usr/sbin/slurmctld", "-f", Configuration);
            started.Add(ReadPid(Path.Combine(folder.FullName, "slurmctld.pid")));
            Run("/usr/sbin/slurmd", "-f", Configuration);
            started.Add(ReadPid(Path.Combine(folder.FullName, "slurmd.pid")));
            WaitForIdleNode();

            var train = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(2), "-Command", "Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 400 -Seed 5 -OutputDirectory ckpt | Out-Null");
            if (train.ExitCode != 0) throw new InvalidOperationException(train.StdErr);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Folder => folder.FullName;

    public string Configuration { get; } = "";

    /// <summary>What every client command (and the shell that runs them) needs: SLURM_CONF.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    /// <summary>Runs a Slurm client command against this cluster; returns its standard output.</summary>
    public string Client(string command, params string[] arguments) => Run(command, arguments);

    public void Dispose()
    {
        // The daemons last, munged after them: they need it to say goodbye.
        foreach (var pid in Enumerable.Reverse(started)) Stop(pid);
        started.Clear();
        folder.Delete(recursive: true);
    }

    private void StartMunge()
    {
        if (File.Exists(MungePidFile) && IsRunning(ReadPid(MungePidFile))) return;
        Directory.CreateDirectory("/run/munge");
        Run("chown", "munge:munge", "/run/munge");
        if (!File.Exists(MungeKey))
        {
            File.WriteAllBytes(MungeKey, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
            Run("chown", "munge:munge", MungeKey);
            Run("chmod", "400", MungeKey);
        }
        Run("runuser", "-u", "munge", "--", "/usr/sbin/munged");
        started.Add(ReadPid(MungePidFile));
    }

    private string WriteConfiguration()
    {
        var state = Directory.CreateDirectory(Path.Combine(folder.FullName, "state")).FullName;
        var spool = Directory.CreateDirectory(Path.Combine(folder.FullName, "spool")).FullName;
        var host = Run("hostname", "-s").Trim();
        var freeMiB = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var memory = long.Parse(freeMiB) / 1024 / 2;
        var path = Path.Combine(folder.FullName, "slurm.conf");
        File.WriteAllText(path, $"""
            ClusterName=losslandscape
            SlurmctldHost={host}
            AuthType=auth/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SlurmUser=root
            StateSaveLocation={state}
            SlurmdSpoolDir={spool}
            SlurmctldPidFile={folder.FullName}/slurmctld.pid
            SlurmdPidFile={folder.FullName}/slurmd.pid
            SlurmctldLogFile={folder.FullName}/slurmctld.log
            SlurmdLogFile={folder.FullName}/slurmd.log
            SlurmctldPort={FreePort()}
            SlurmdPort={FreePort()}
            ReturnToService=2
            NodeName={host} CPUs={System.Environment.ProcessorCount} RealMemory={memory} State=UNKNOWN
            PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        return path;
    }

    private void WaitForIdleNode()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (Run("sinfo", "-h", "-o", "%t").Trim() == "idle") return;
            }
            catch (InvalidOperationException)
            {
                // slurmctld is still starting.
            }
            Thread.Sleep(250);
        }
        throw new TimeoutException($"The node did not become idle within a minute; see {folder.FullName}/slurmctld.log and slurmd.log.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int ReadPid(string path)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException($"{path} was not written.");
            Thread.Sleep(100);
        }
        return int.Parse(File.ReadAllText(path).Trim());
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    private void Stop(int pid)
    {
        if (!IsRunning(pid)) return;
        using var process = Process.GetProcessById(pid);
        Run("kill", pid.ToString());
        if (!process.WaitForExit(TimeSpan.FromSeconds(20))) process.Kill();
    }

    private string Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{command} did not end.");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error.Result}");
        return output.Result;
    }
}
