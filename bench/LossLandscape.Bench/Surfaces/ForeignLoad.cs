using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The share of the machine's CPU time that processes other than the bench and its children used
/// over an interval: on a shared machine that inflates every time measured, so the report says it.
/// Linux only (/proc/stat, getrusage).
/// </summary>
internal sealed class ForeignLoad
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;
    private const int ClockTicksPerSecondName = 2; // _SC_CLK_TCK

    private readonly double machineBusyStart;
    private readonly double benchStart;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private ForeignLoad(double machineBusy, double bench)
    {
        machineBusyStart = machineBusy;
        benchStart = bench;
    }

    /// <returns>Null where the counters do not exist (not Linux).</returns>
    public static ForeignLoad? Start() => OperatingSystem.IsLinux() ? new ForeignLoad(MachineBusySeconds(), BenchCpuSeconds()) : null;

    /// <summary>Other processes' CPU time since <see cref="Start"/> over the machine's (wall time × cores), 0..1.</summary>
    public double Share()
    {
        var foreign = MachineBusySeconds() - machineBusyStart - (BenchCpuSeconds() - benchStart);
        return Math.Clamp(foreign / (clock.Elapsed.TotalSeconds * Environment.ProcessorCount), 0, 1);
    }

    /// <summary>All CPUs' non-idle time, steal included (the hypervisor running someone else is interference too).</summary>
    private static double MachineBusySeconds()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        return busy / (double)sysconf(ClockTicksPerSecondName);
    }

    /// <summary>This process's CPU time plus that of its finished children (engine runs, Python).</summary>
    private static double BenchCpuSeconds() => CpuSeconds(RusageSelf) + CpuSeconds(RusageChildren);

    private static double CpuSeconds(int who)
    {
        if (getrusage(who, out var usage) != 0) throw new InvalidOperationException($"getrusage failed ({Marshal.GetLastPInvokeError()}).");
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out ResourceUsage usage);

    [DllImport("libc")]
    private static extern long sysconf(int name);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs this class does not read (18 × 8 bytes in all).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }
}
