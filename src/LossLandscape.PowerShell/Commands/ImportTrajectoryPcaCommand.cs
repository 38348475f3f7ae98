using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.PaperFiles;
using LossLandscape.Core.Trajectories;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Reads the paper code's PCA output — its directions.h5 (xdirection/ydirection and
/// explained_variance_ratio_) and, optionally, its projection file (proj_xcoord/proj_ycoord) — as a
/// <see cref="Types.TrajectoryPca"/> around the reference checkpoint, ready for Get-LossSurface.
/// </summary>
[Cmdlet(VerbsData.Import, "TrajectoryPCA", DefaultParameterSetName = FileArguments.PathSet)]
[OutputType(typeof(Types.TrajectoryPca))]
public sealed class ImportTrajectoryPcaCommand : LandscapeCmdlet
{
    /// <summary>The directions file; a wildcard must match exactly one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FileArguments.PathSet)]
    [SupportsWildcards]
    public string Path { get; set; } = "";

    /// <summary>The directions file as named, without wildcards (a name may hold [ ]).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FileArguments.LiteralPathSet)]
    [Alias("PSPath", "FullName")]
    public string LiteralPath { get; set; } = "";

    /// <summary>The projection file (coordinates of the checkpoints on the plane).</summary>
    [Parameter(Position = 1)]
    public string? ProjectionPath { get; set; }

    /// <summary>θ_ref, the checkpoint the paper's code took differences from (its final model).</summary>
    [Parameter(Mandatory = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Reference { get; set; } = null!;

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void EndProcessing()
    {
        var literal = ParameterSetName == FileArguments.LiteralPathSet;
        var files = FileArguments.Resolve(this, literal ? LiteralPath : Path, literal, ErrorIds.TrajectoryInvalid, "PCA directions file");
        if (files.Count > 1)
        {
            WriteError(new ArgumentException($"'{Path}' matches {files.Count} files; a PCA is read from one directions file."), ErrorIds.TrajectoryInvalid, ErrorCategory.InvalidArgument, Path);
            return;
        }
        if (files.Count == 0) return;
        var file = files[0];
        var projection = ProjectionPath is null ? null : GetUnresolvedProviderPathFromPSPath(ProjectionPath);
        try
        {
            var content = PaperPcaFiles.Read(file, projection, ParameterLayout.Of(Runtime, Reference.Info), Reference.Info.Metadata.StateSha256);
            var x = content.X ?? [];
            var y = content.Y ?? new double[x.Length];
            var result = new TrajectoryPcaResult(
                Enumerable.Range(0, x.Length).Select(_ => Reference.Info).ToArray(),
                Reference.Info, content.Components, content.ExplainedVarianceRatio, content.SingularValues, x, y);
            double? cosine = content.Components.Count == 2 ? content.Components[0].CosineTo(content.Components[1]) : null;
            var directions = content.Components.Select(c => new LandscapeDirection(c, Reference.Path, null, file, cosine)).ToArray();
            WriteObject(new Types.TrajectoryPca(result, Reference, directions, pointNames: Enumerable.Range(0, x.Length).Select(i => $"point {i}").ToArray()));
        }
        catch (DirectionNonFiniteException e)
        {
            WriteError(e, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidData, file);
        }
        catch (FileNotFoundException e)
        {
            WriteError(e, ErrorIds.TrajectoryInvalid, ErrorCategory.ObjectNotFound, file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            WriteError(e, ErrorIds.TrajectoryInvalid, ErrorCategory.InvalidData, file);
        }
    }
}
