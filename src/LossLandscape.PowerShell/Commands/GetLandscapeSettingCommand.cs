using System.Management.Automation;
using LossLandscape.Core.Native;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Shows the process-wide settings: threads, the data set cache, the CUDA devices -Device can name, and what native runtime was loaded.</summary>
[Cmdlet(VerbsCommon.Get, "LandscapeSetting")]
[OutputType(typeof(LandscapeSetting))]
public sealed class GetLandscapeSettingCommand : LandscapeCmdlet
{
    protected override void EndProcessing() => WriteObject(Snapshot(EnsureRuntime()));

    internal static LandscapeSetting Snapshot(LandscapeRuntime runtime) => new()
    {
        ThreadCount = runtime.ThreadCount,
        DatasetCacheBytes = runtime.DatasetCache.CapacityBytes,
        DatasetCacheUsedBytes = runtime.DatasetCache.UsedBytes,
        CudaDeviceCount = runtime.Report.CudaDeviceCount,
        LibTorchDirectory = runtime.Report.LibTorchDirectory,
        PatchedShim = runtime.Report.UsedPatchedShim,
        ShimPath = runtime.Report.PatchedShimPath ?? runtime.Report.ShimPath,
        OmpWaitPolicy = runtime.Report.OmpWaitPolicy,
        Allocator = runtime.Report.Allocator,
    };
}
