using System.Management.Automation;
using LossLandscape.Core.Common;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Combines the shard files of one surface (Get-LossSurface -ShardIndex/-ShardCount) into one
/// surface file, byte for byte what one unsharded run writes. The files must agree on every
/// setting but the shard, and every point must come from exactly one of them.
/// </summary>
[Cmdlet(VerbsData.Merge, "LossSurface", SupportsShouldProcess = true, DefaultParameterSetName = FileArguments.PathSet)]
[OutputType(typeof(LossSurface))]
public sealed class MergeLossSurfaceCommand : LandscapeCmdlet
{
    private readonly List<SurfaceResult> parts = [];
    private int unreadable;

    /// <summary>The shard files (wildcards allowed), e.g. from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>The shard files as named, without wildcards (a name may hold [ ]); files piped from Get-ChildItem bind here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.LiteralPathSet)]
    [Alias("PSPath", "FullName")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The merged surface file.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string OutFile { get; set; } = null!;

    /// <summary>Merge even when some points are in no file (they stay uncomputed); a later Get-LossSurface on the merged file computes them.</summary>
    [Parameter]
    public SwitchParameter AllowGaps { get; set; }

    /// <summary>Overwrite an existing -OutFile.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emit the merged surface.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == FileArguments.LiteralPathSet;
        foreach (var argument in literal ? LiteralPath : Path)
        {
            var files = FileArguments.Resolve(this, argument, literal, ErrorIds.SurfaceFileInvalid, "surface file");
            if (files.Count == 0) unreadable++;
            foreach (var file in files)
            {
                try
                {
                    parts.Add(SurfaceStore.Read(file));
                }
                catch (FileNotFoundException e)
                {
                    unreadable++;
                    WriteError(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.ObjectNotFound, file);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    unreadable++;
                    WriteError(e, ErrorIds.SurfaceFileInvalid, ErrorCategory.InvalidData, file);
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        var names = parts.Select(p => p.FilePath!).ToArray();
        if (unreadable > 0 || parts.Count == 0)
        {
            var reason = unreadable > 0 ? $"{unreadable} of the given files could not be read (see the errors above)" : "no surface files were given";
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Nothing was merged: {reason}."), ErrorIds.SurfaceShardsIncomplete, ErrorCategory.ObjectNotFound, names));
        }

        var outFile = GetUnresolvedProviderPathFromPSPath(OutFile);
        if (!MayWrite(outFile, Force) || !ShouldProcess(outFile, $"Merge {parts.Count} surface file(s) into one")) return;

        SurfaceResult merged;
        try
        {
            merged = SurfaceMerge.Merge(parts, AllowGaps) with { FilePath = outFile };
        }
        catch (SurfaceMergeException e)
        {
            ThrowTerminatingError(MergeErrors.Record(e, names));
            return;
        }
        var missing = merged.Grid.PointCount - merged.ComputedCount;
        if (missing > 0) WriteWarning($"{missing} of the {merged.Grid.PointCount} points are in none of the files; they stay uncomputed in {outFile}.");

        try
        {
            SurfaceStore.Write(outFile, merged);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, outFile));
        }
        WriteVerbose($"Merged {parts.Count} file(s), {merged.ComputedCount} of {merged.Grid.PointCount} points, into {outFile}.");
        if (PassThru) WriteObject(new LossSurface(merged));
    }
}
