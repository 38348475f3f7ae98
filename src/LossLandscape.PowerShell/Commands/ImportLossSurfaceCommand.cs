using System.Management.Automation;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Reads an HDF5 surface file (ours, or the paper code's) as a <see cref="LossSurface"/>.</summary>
[Cmdlet(VerbsData.Import, "LossSurface")]
[OutputType(typeof(LossSurface))]
public sealed class ImportLossSurfaceCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("FullName")]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        {
            IReadOnlyCollection<string> files;
            try
            {
                files = GetResolvedProviderPathFromPSPath(pattern, out _);
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.ObjectNotFound, pattern));
                continue;
            }
            if (files.Count == 0)
            {
                // A wildcard that matches nothing resolves without an exception: say so rather than emit nothing.
                WriteError(new ErrorRecord(new FileNotFoundException($"No surface file matches '{pattern}'."), ErrorIds.SurfaceFileInvalid, ErrorCategory.ObjectNotFound, pattern));
                continue;
            }
            foreach (var file in files)
            {
                try
                {
                    WriteObject(new LossSurface(SurfaceStore.Read(file, allowForeign: true)));
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    WriteError(new ErrorRecord(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.InvalidData, file));
                }
            }
        }
    }
}
