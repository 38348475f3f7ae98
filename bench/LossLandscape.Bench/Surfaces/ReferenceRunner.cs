using System.Runtime.InteropServices;
using LossLandscape.Core.Native;

namespace LossLandscape.Bench.Surfaces;

/// <summary>Runs bench/reference/surface_reference.py with Debian's PyTorch, one process per run.</summary>
internal static class ReferenceRunner
{
    public const string Python = "/usr/bin/python3";

    /// <summary>
    /// OpenMP spin-waiting made PyTorch 2–5× slower on this 2-core machine (platform notes); passive
    /// waiting keeps the reference's own threads from fighting each other.
    /// </summary>
    private static Dictionary<string, string> Environment(string allocator)
    {
        var environment = new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "passive" };
        if (allocator == ReferenceAllocator.Tuned)
        {
            environment["MALLOC_MMAP_THRESHOLD_"] = NativeAllocatorTuning.MmapThresholdBytes.ToString();
            environment["MALLOC_TRIM_THRESHOLD_"] = NativeAllocatorTuning.TrimThresholdBytes.ToString();
        }
        return environment;
    }

    /// <summary>Installs python3-torch with apt when <see cref="Python"/> cannot import torch, and says so.</summary>
    public static void EnsureTorch()
    {
        if (HasTorch()) return;
        var root = geteuid() == 0;
        Console.WriteLine($"{Python} cannot import torch: installing python3-torch with apt-get{(root ? "" : " (through sudo)")}.");
        var exitCode = root
            ? ChildProcess.RunVisibly("apt-get", "install", "-y", "python3-torch")
            : ChildProcess.RunVisibly("sudo", "apt-get", "install", "-y", "python3-torch");
        if (exitCode != 0 || !HasTorch())
            throw new InvalidOperationException($"Installing python3-torch failed (apt-get exit code {exitCode}); the reference needs PyTorch in {Python}.");
        Console.WriteLine("python3-torch installed.");
    }

    /// <summary>
    /// Bare-forward times for each allocator setting × thread count × batch size; the fastest is the
    /// setting the surface runs use. The reference gets the same malloc thresholds our engine sets
    /// (<see cref="NativeAllocatorTuning"/>) as one of its options, so the ratio does not credit
    /// our engine with a fix PyTorch can have through two environment variables.
    /// </summary>
    /// <param name="quick">Sweep batch 128 only: the full sweep of a ResNet takes longer than a smoke run should.</param>
    /// <param name="allocators">The allocator settings to try (<c>--reference-allocator</c>).</param>
    public static ReferenceTuning Tune(string exportFolder, string resultPath, string device, bool quick, IReadOnlyList<string> allocators)
    {
        string[] batchSizes = quick ? ["--batch-sizes", "128"] : [];
        var sweeps = new List<ReferenceTuning>();
        foreach (var allocator in allocators)
        {
            var allocatorPath = Path.ChangeExtension(resultPath, $".{allocator}.json");
            ChildProcess.Run(Python, [BenchPaths.ReferenceScript, "tune", "--input", exportFolder, "--out", allocatorPath, "--device", device, .. batchSizes], Environment(allocator));
            var tuning = BenchJson.Read<ReferenceTuning>(allocatorPath);
            sweeps.Add(tuning with { Allocator = allocator, Sweep = tuning.Sweep.Select(setting => setting with { Allocator = allocator }).ToArray() });
        }
        var fastest = sweeps.MinBy(tuning => tuning.Seconds)!;
        var merged = fastest with { Sweep = sweeps.SelectMany(tuning => tuning.Sweep).ToArray() };
        BenchJson.Write(resultPath, merged);
        return merged;
    }

    public static ReferenceRunResult Surface(string exportFolder, ReferenceTuning setting, string resultPath, string device)
    {
        ChildProcess.Run(Python,
            [BenchPaths.ReferenceScript, "surface", "--input", exportFolder, "--out", resultPath, "--device", device,
             "--threads", setting.Threads.ToString(), "--batch-size", setting.BatchSize.ToString()],
            Environment(setting.Allocator));
        return BenchJson.Read<ReferenceRunResult>(resultPath);
    }

    private static bool HasTorch()
    {
        try
        {
            ChildProcess.Run(Python, ["-c", "import torch, numpy"]);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}

/// <summary>The C allocator settings the reference is tried with.</summary>
internal static class ReferenceAllocator
{
    public const string GlibcDefault = "glibc-default";
    public const string Tuned = "malloc-tuned";

    public static readonly string[] All = [GlibcDefault, Tuned];
}
