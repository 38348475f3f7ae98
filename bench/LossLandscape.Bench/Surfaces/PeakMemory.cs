namespace LossLandscape.Bench.Surfaces;

internal static class PeakMemory
{
    /// <summary>The process's peak resident set (VmHWM of /proc/self/status), in KiB; 0 where /proc does not exist.</summary>
    public static long OwnPeakRssKib()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{status} has no VmHWM line.");
        // "VmHWM:   123456 kB"
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
