using System.Runtime.InteropServices;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using Xunit;

namespace LossLandscape.Core.Tests.Native;

public sealed class NativeAllocatorTuningTests
{
    private const int Passes = 5;
    private const int BatchSize = 250;

    [Fact]
    public void ForwardPassesReuseHeapPagesInsteadOfFaultingEveryFeatureMapInAgain()
    {
        var report = LandscapeRuntime.Load().Report;
        Assert.StartsWith("glibc malloc reuses blocks up to 32 MiB", report.Allocator);
        var reference = new DatasetReference(DigitsData.Name);
        using var data = new PreloadedDataset(LandscapeRuntime.Load(), reference, DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, reference));

        // Untuned, each feature map of a 250-sample batch is a fresh mapping whose pages fault in
        // when written: ≈ 8,400 faults per pass over the digits train split. Reused heap memory
        // faults a few dozen times.
        long faults = 0;
        var worker = new Thread(() =>
        {
            LandscapeRuntime.Load().ApplyThreadCount(1);
            using var model = ModelZoo.Create(LandscapeRuntime.Load(), new ModelSpec { Architecture = "DigitsCnn" }, seed: 1);
            Evaluation.Evaluate(model, data, BatchSize);
            var before = MinorFaultsOfThisThread();
            for (var i = 0; i < Passes; i++) Evaluation.Evaluate(model, data, BatchSize);
            faults = MinorFaultsOfThisThread() - before;
        });
        worker.Start();
        worker.Join();

        Assert.True(faults / Passes < 1000, $"{faults / Passes} minor page faults per forward pass: freed feature maps are not being reused.");
    }

    private static long MinorFaultsOfThisThread()
    {
        const int RusageThread = 1;
        Assert.Equal(0, GetRUsage(RusageThread, out var usage));
        return usage.MinorFaults;
    }

    [DllImport("libc.so.6", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, out ResourceUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxResidentKiB, SharedKiB, UnsharedDataKiB, UnsharedStackKiB;
        public long MinorFaults, MajorFaults, Swaps, BlockInputs, BlockOutputs;
        public long MessagesSent, MessagesReceived, Signals, VoluntarySwitches, InvoluntarySwitches;
    }
}
