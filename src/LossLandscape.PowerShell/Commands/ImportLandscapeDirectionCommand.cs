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
[Cmdlet(VerbsData.Import, "LandscapeDirection", DefaultParameterSetName = FileArguments.PathSet)]
[OutputType(typeof(LandscapeDirection))]
public sealed class ImportLandscapeDirectionCommand : LandscapeCmdlet
{
    /// <summary>The direction file; wildcards read every file they match.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.PathSet)]
    [Alias("FilePath")]
    [SupportsWildcards]
    public string Path { get; set; } = "";

    /// <summary>The direction file as named, without wildcards (a name may hold [ ]); files piped from Get-ChildItem bind here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.LiteralPathSet)]
    [Alias("PSPath", "FullName")]
    public string LiteralPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = false)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == FileArguments.LiteralPathSet;
        foreach (var file in FileArguments.Resolve(this, literal ? LiteralPath : Path, literal, ErrorIds.DirectionFileInvalid, "direction file"))
        {
            Read(file);
        }
    }

    private void Read(string file)
    {
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
