using System.Management.Automation;
using LossLandscape.Core.Native;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Changes process-wide settings. The thread count is libtorch's intra-op thread count, shared by
/// every runspace of the process; the default comes from LOSSLANDSCAPE_THREADS or the core count.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LandscapeSetting", SupportsShouldProcess = true)]
[OutputType(typeof(LandscapeSetting))]
public sealed class SetLandscapeSettingCommand : LandscapeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1024)]
    public int ThreadCount { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var report = EnsureRuntime();
        if (ShouldProcess("libtorch intra-op threads", $"Set to {ThreadCount}"))
        {
            TorchRuntime.ThreadCount = ThreadCount;
            WriteVerbose($"libtorch now uses {ThreadCount} intra-op thread(s).");
        }
        if (PassThru) WriteObject(GetLandscapeSettingCommand.Snapshot(report));
    }
}
