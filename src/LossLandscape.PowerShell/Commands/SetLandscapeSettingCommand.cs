using System.Management.Automation;
using LossLandscape.Core.Native;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Changes process-wide settings, shared by every runspace of the process. The thread count is
/// libtorch's intra-op thread count; the default comes from LOSSLANDSCAPE_THREADS or the core count.
/// The data set cache capacity bounds the decoded data sets kept between commands; the default is a
/// quarter of the memory the process may use.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LandscapeSetting", SupportsShouldProcess = true)]
[OutputType(typeof(LandscapeSetting))]
public sealed class SetLandscapeSettingCommand : LandscapeCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1024)]
    public int? ThreadCount { get; set; }

    /// <summary>Decoded bytes of data sets kept between commands, least recently used dropped first; 0 disables caching.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, long.MaxValue)]
    public long? DatasetCacheBytes { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var runtime = EnsureRuntime();
        if (ThreadCount is { } threads && ShouldProcess("libtorch intra-op threads", $"Set to {threads}"))
        {
            runtime.ThreadCount = threads;
            WriteVerbose($"libtorch now uses {threads} intra-op thread(s).");
        }
        if (DatasetCacheBytes is { } capacity && ShouldProcess("data set cache", $"Set its capacity to {capacity} bytes"))
        {
            runtime.DatasetCache.CapacityBytes = capacity;
            WriteVerbose(runtime.DatasetCache.Describe());
        }
        if (PassThru) WriteObject(GetLandscapeSettingCommand.Snapshot(runtime));
    }
}
