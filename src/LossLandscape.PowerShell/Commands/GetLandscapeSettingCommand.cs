using System.Management.Automation;
using LossLandscape.Core.Native;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Shows the process-wide settings: threads, the CUDA devices -Device can name, and what native runtime was loaded.</summary>
[Cmdlet(VerbsCommon.Get, "LandscapeSetting")]
[OutputType(typeof(LandscapeSetting))]
public sealed class GetLandscapeSettingCommand : LandscapeCmdlet
{
    protected override void EndProcessing() => WriteObject(Snapshot(EnsureRuntime()));

    internal static LandscapeSetting Snapshot(TorchLoadReport report) => new()
    {
        ThreadCount = TorchRuntime.ThreadCount,
        CudaDeviceCount = report.CudaDeviceCount,
        LibTorchDirectory = report.LibTorchDirectory,
        PatchedShim = report.UsedPatchedShim,
        ShimPath = report.PatchedShimPath ?? report.ShimPath,
        OmpWaitPolicy = report.OmpWaitPolicy,
        Allocator = report.Allocator,
    };
}
