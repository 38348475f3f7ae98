using System.Management.Automation;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Reads an HDF5 surface file (ours, or the paper code's) as a <see cref="LossSurface"/>.</summary>
[Cmdlet(VerbsData.Import, "LossSurface", DefaultParameterSetName = FileArguments.PathSet)]
[OutputType(typeof(LossSurface))]
public sealed class ImportLossSurfaceCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>The files as named, without wildcards (a name may hold [ ]); files piped from Get-ChildItem bind here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.LiteralPathSet)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = [];

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == FileArguments.LiteralPathSet;
        foreach (var argument in literal ? LiteralPath : Path)
        {
            foreach (var file in FileArguments.Resolve(this, argument, literal, ErrorIds.SurfaceFileInvalid, "surface file"))
            {
                try
                {
                    WriteObject(new LossSurface(SurfaceStore.Read(file, allowForeign: true)));
                }
                catch (FileNotFoundException e)
                {
                    WriteError(new ErrorRecord(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.ObjectNotFound, file));
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    WriteError(new ErrorRecord(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.InvalidData, file));
                }
            }
        }
    }
}
