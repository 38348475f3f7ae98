using System.Runtime.InteropServices;

namespace LossLandscape.Bench.Surfaces;

/// <summary>Runs bench/reference/surface_reference.py with Debian's PyTorch, one process per run.</summary>
internal static class ReferenceRunner
{
    public const string Python = "/usr/bin/python3";

    /// <summary>
    /// OpenMP spin-waiting made PyTorch 2–5× slower on this 2-core machine (platform notes); passive
    /// waiting keeps the reference's own threads from fighting each other.
    /// </summary>
    private static readonly Dictionary<string, string> Environment = new() { ["OMP_WAIT_POLICY"] = "passive" };

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

    /// <summary>Bare-forward times for each thread count × batch size; the fastest is the setting the surface runs use.</summary>
    /// <param name="quick">Sweep batch 128 only: the full sweep of a ResNet takes longer than a smoke run should.</param>
    public static ReferenceTuning Tune(string exportFolder, string resultPath, string device, bool quick)
    {
        string[] batchSizes = quick ? ["--batch-sizes", "128"] : [];
        ChildProcess.Run(Python, [BenchPaths.ReferenceScript, "tune", "--input", exportFolder, "--out", resultPath, "--device", device, .. batchSizes], Environment);
        return BenchJson.Read<ReferenceTuning>(resultPath);
    }

    public static ReferenceRunResult Surface(string exportFolder, ReferenceTuning setting, string resultPath, string device)
    {
        ChildProcess.Run(Python,
            [BenchPaths.ReferenceScript, "surface", "--input", exportFolder, "--out", resultPath, "--device", device,
             "--threads", setting.Threads.ToString(), "--batch-size", setting.BatchSize.ToString()],
            Environment);
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
