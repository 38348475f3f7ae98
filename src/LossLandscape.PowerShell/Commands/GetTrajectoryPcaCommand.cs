using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Trajectories;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// PCA directions of a training trajectory (paper §7): collects the piped checkpoints, orders them by
/// epoch, and emits the plane of the two leading principal components of θ_i − θ_ref with each
/// checkpoint's coordinates. The components are saved as an HDF5 direction file.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TrajectoryPCA", SupportsShouldProcess = true)]
[OutputType(typeof(Types.TrajectoryPca))]
public sealed class GetTrajectoryPcaCommand : LandscapeCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Checkpoint> collected = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint[] Checkpoint { get; set; } = [];

    /// <summary>θ_ref, the origin of the plane (default: the last checkpoint by epoch).</summary>
    [Parameter]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint? Reference { get; set; }

    /// <summary>Keep biases and BN γ/β in the trajectory (zeroed by default, as for directions).</summary>
    [Parameter]
    public SwitchParameter IncludeBiasAndNorm { get; set; }

    /// <summary>How many explained-variance ratios to report (up to n − 1); the plane always uses the first two.</summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Components { get; set; } = 2;

    [Parameter]
    public ProjectionMethod Projection { get; set; } = ProjectionMethod.Orthogonal;

    /// <summary>The direction file to write (default: pca-&lt;hash&gt;.h5 beside the reference checkpoint).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>Overwrite an existing -OutFile. Without it, a file that already holds these components is kept and any other is refused.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord() => collected.AddRange(Checkpoint);

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose() => stopping.Dispose();

    protected override void EndProcessing()
    {
        // By epoch (or step, for a step-based run) when every checkpoint has one; otherwise in pipeline order.
        var ordered = collected.All(c => c.Epoch is not null) ? collected.OrderBy(c => c.Epoch).ToList()
            : collected.All(c => c.Step is not null) ? collected.OrderBy(c => c.Step).ToList()
            : collected;
        var reference = Reference ?? ordered.LastOrDefault();
        if (ordered.Count < 3 || reference is null)
        {
            WriteError(new ArgumentException($"Get-TrajectoryPCA needs at least 3 checkpoints; {ordered.Count} arrived."), ErrorIds.TrajectoryInvalid, ErrorCategory.InvalidArgument, collected);
            return;
        }
        if (Components > ordered.Count - 1)
        {
            WriteError(new ArgumentException($"{ordered.Count} checkpoints give at most {ordered.Count - 1} components; -Components is {Components}."), ErrorIds.TrajectoryInvalid, ErrorCategory.InvalidArgument, Components);
            return;
        }
        // An existing -OutFile is checked after the PCA (a few seconds): when it already holds these components it is kept, so a rerun is idempotent.
        if (OutFile is not null && !FolderExistsFor(GetUnresolvedProviderPathFromPSPath(OutFile))) return;
        WriteVerbose($"PCA of {ordered.Count} checkpoints around {reference.Name}; biases and BN {(IncludeBiasAndNorm ? "kept" : "zeroed")}.");
        TrajectoryPcaResult result;
        var progress = new ProgressReporter(this, "Trajectory PCA");
        try
        {
            result = TrajectoryPcaBuilder.Compute(Runtime, ordered.Select(c => c.Info).ToArray(), reference.Info, IncludeBiasAndNorm, Components, Projection,
                loaded => progress.Report($"Checkpoint {loaded}/{ordered.Count}", loaded / (double)ordered.Count), stopping.Token);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (DirectionNonFiniteException e)
        {
            WriteError(e, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidResult, collected);
            return;
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.TrajectoryInvalid, ErrorCategory.InvalidArgument, collected);
            return;
        }
        finally
        {
            progress.Complete();
        }
        if (result.Components.Count < 2)
            WriteWarning($"Only {result.Components.Count} principal component carries variance (the checkpoints lie on a line): the landscape will be 1D.");

        var hash = string.Concat(result.Components.Select(c => c.Sha256[..8]));
        var file = GetUnresolvedProviderPathFromPSPath(OutFile ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(reference.Path)!, $"pca-{hash}.h5"));
        var layout = ParameterLayout.Of(Runtime, reference.Info);
        if (!Force && File.Exists(file))
        {
            if (!DirectionStore.HoldsExactly(file, layout, reference.Info.Metadata.StateSha256, result.Components))
            {
                WriteError(new IOException($"'{file}' exists and holds other directions than the PCA of these checkpoints; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, file);
                return;
            }
            WriteVerbose($"{file} already holds these principal components (same SHA-256); kept as it is.");
        }
        else
        {
            if (!ShouldProcess(file, "Write PCA direction file")) return;
            try
            {
                DirectionStore.Write(file, layout, result.Components);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, file);
                return;
            }
        }
        double? cosine = result.Components.Count == 2 ? result.Components[0].CosineTo(result.Components[1]) : null;
        var directions = result.Components.Select(c => new LandscapeDirection(c, reference.Path, null, file, cosine)).ToArray();
        WriteVerbose($"Explained variance ratio: {string.Join(", ", result.ExplainedVarianceRatio.Select(r => r.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}; components in {file}.");
        WriteObject(new Types.TrajectoryPca(result, reference, directions));
    }
}
