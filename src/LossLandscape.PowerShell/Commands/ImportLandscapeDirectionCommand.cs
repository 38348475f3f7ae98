using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.PaperFiles;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Reads an HDF5 direction file (ours, or the paper code's layout) for a checkpoint, checking the
/// tensor count and shapes against the checkpoint's parameters — or against its full state dict for
/// the paper code's "states" files, whose BN running statistics then move along the direction.
/// </summary>
[Cmdlet(VerbsData.Import, "LandscapeDirection")]
[OutputType(typeof(LandscapeDirection))]
public sealed class ImportLandscapeDirectionCommand : LandscapeCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "FilePath")]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = false)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        var file = GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            var directions = PaperDirectionFiles.Read(file, ParameterLayout.Of(Runtime, Checkpoint.Info), Checkpoint.Info.Metadata.StateSha256);
            double? cosine = directions.Count == 2 ? directions[0].CosineTo(directions[1]) : null;
            foreach (var direction in directions)
            {
                WriteObject(new LandscapeDirection(direction, Checkpoint.Path, null, file, cosine));
            }
        }
        catch (DirectionNonFiniteException e)
        {
            WriteError(e, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidData, file);
        }
        catch (FileNotFoundException e)
        {
            WriteError(e, ErrorIds.DirectionFileInvalid, ErrorCategory.ObjectNotFound, file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            WriteError(e, ErrorIds.DirectionFileInvalid, ErrorCategory.InvalidData, file);
        }
    }
}
