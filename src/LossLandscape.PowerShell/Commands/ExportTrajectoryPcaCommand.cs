using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.PaperFiles;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Writes a trajectory PCA in the paper code's layout: the directions file (xdirection, ydirection,
/// explained_variance_ratio_, singular_values_, explained_variance_) and the projection file
/// (proj_xcoord, proj_ycoord), so that code's plotting scripts read them.
/// </summary>
[Cmdlet(VerbsData.Export, "TrajectoryPCA", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTrajectoryPcaCommand : LandscapeCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Types.TrajectoryPca Trajectory { get; set; } = null!;

    /// <summary>The directions file; the projection file is written beside it as &lt;name&gt;_proj_cos.h5, as the paper's code names it.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        var file = GetUnresolvedProviderPathFromPSPath(Path);
        var projection = file + "_proj_cos.h5";
        if (!MayWrite(file, Force) || !MayWrite(projection, Force)) return;
        if (!ShouldProcess(file, "Write PCA directions and projection in the paper code's layout")) return;
        try
        {
            PaperPcaFiles.Write(file, projection, Trajectory.Result, ParameterLayout.Of(Runtime, Trajectory.Checkpoint.Info));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, file);
            return;
        }
        WriteVerbose($"PCA written to {file} and {projection}.");
        if (PassThru)
        {
            WriteObject(new FileInfo(file));
            WriteObject(new FileInfo(projection));
        }
    }
}
