using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Specs;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Makes the directions of a landscape around a checkpoint: two seeded, filter-normalized random
/// directions by default (x and y), one with -Dimensions 1, or θ_target − θ* with -Target.
/// </summary>
[Cmdlet(VerbsCommon.New, "LandscapeDirection", SupportsShouldProcess = true, DefaultParameterSetName = RandomSet)]
[OutputType(typeof(LandscapeDirection))]
public sealed class NewLandscapeDirectionCommand : LandscapeCmdlet
{
    private const string RandomSet = "Random";
    private const string TargetSet = "Target";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    [Parameter(ParameterSetName = RandomSet)]
    public long Seed { get; set; } = DirectionRecipe.DefaultSeed;

    [Parameter(ParameterSetName = RandomSet)]
    // Unknown describes directions read from files made elsewhere; it is no way to make one.
    [ValidateSet(nameof(DirectionNormalization.Filter), nameof(DirectionNormalization.Head), nameof(DirectionNormalization.Layer), nameof(DirectionNormalization.Weight), nameof(DirectionNormalization.None))]
    public DirectionNormalization Normalization { get; set; } = DirectionNormalization.Filter;

    /// <summary>Zero biases and BatchNorm/LayerNorm γ/β (default). With -IgnoreBiasAndNorm:$false they copy θ*, as the paper's code does.</summary>
    [Parameter(ParameterSetName = RandomSet)]
    public SwitchParameter IgnoreBiasAndNorm { get; set; } = true;

    [Parameter(ParameterSetName = RandomSet)]
    public SwitchParameter Orthogonalize { get; set; }

    [Parameter(ParameterSetName = RandomSet)]
    [ValidateRange(1, 2)]
    public int Dimensions { get; set; } = 2;

    [Parameter(Mandatory = true, ParameterSetName = TargetSet)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Target { get; set; } = null!;

    /// <summary>
    /// The bend of a curve from θ* to -Target (Invoke-CurveTraining): makes the orthonormal plane through the
    /// three points (x ∝ θ_B − θ*, y ∝ θ_bend − θ* by Gram–Schmidt), with their coordinates recorded.
    /// </summary>
    [Parameter(ParameterSetName = TargetSet)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint? Bend { get; set; }

    /// <summary>Running (default): the direction leaves BatchNorm's running statistics at θ*'s; Interpolate: it moves them to the target's too. Reset and Batch are evaluation options of the surface commands.</summary>
    [Parameter(ParameterSetName = TargetSet)]
    [ValidateSet(nameof(BatchNormStatistics.Running), nameof(BatchNormStatistics.Interpolate))]
    public BatchNormStatistics BatchNormStatistics { get; set; } = BatchNormStatistics.Running;

    /// <summary>
    /// Move only the parameters these names or wildcards (<c>conv1.*</c>, <c>*.weight</c>) match; the directions
    /// are zero elsewhere and the file records the subset. A pattern that matches no parameter is an error.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Parameter { get; set; }

    /// <summary>Save the directions as an HDF5 direction file (the paper code's layout).</summary>
    [Parameter]
    public string? OutFile { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        try
        {
            var checkpoint = Checkpoint.Info;
            var directions = ParameterSetName != TargetSet ? MakeRandom(checkpoint) : Bend is null ? [MakeTarget(checkpoint)] : MakePlane(checkpoint);
            string? file = null;
            if (OutFile is not null)
            {
                file = GetUnresolvedProviderPathFromPSPath(OutFile);
                if (!FolderExistsFor(file)) return;
                if (!Force && File.Exists(file))
                {
                    // The same recipe gives the same bits, so a rerun of a script finds its own file and keeps it.
                    if (!DirectionStore.HoldsExactly(file, ParameterLayout.Of(Runtime, checkpoint), checkpoint.Metadata.StateSha256, directions))
                    {
                        WriteError(new IOException($"'{file}' exists and holds other directions; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, file);
                        return;
                    }
                    WriteVerbose($"{file} already holds these directions (same SHA-256 and recipe); kept as it is.");
                }
                else
                {
                    if (!ShouldProcess(file, "Write direction file")) return;
                    if (!TryWrite(file, directions)) return;
                    WriteVerbose($"Directions written to {file}.");
                }
            }
            double? cosine = directions.Count == 2 ? directions[0].CosineTo(directions[1]) : null;
            foreach (var direction in directions)
            {
                WriteVerbose($"{direction.Recipe}: ‖d‖ = {direction.Norm:G6}, SHA-256 {direction.Sha256}.");
                WriteObject(new LandscapeDirection(direction, checkpoint.StatePath, ParameterSetName == TargetSet ? Target.Path : null, file, cosine, Bend?.Path));
            }
        }
        catch (DirectionNonFiniteException e)
        {
            WriteError(e, ErrorIds.DirectionNonFinite, ErrorCategory.InvalidResult, Checkpoint);
        }
        catch (SpecException e) when (e.Problem == SpecProblem.Parameter)
        {
            WriteError(e, ErrorIds.ParameterNotMatched, ErrorCategory.InvalidArgument, e.Value);
        }
        catch (ArgumentException e)
        {
            WriteError(e, ErrorIds.DirectionInvalid, ErrorCategory.InvalidArgument, Checkpoint);
        }
    }

    private bool TryWrite(string file, IReadOnlyList<DirectionVector> directions)
    {
        try
        {
            DirectionStore.Write(file, ParameterLayout.Of(Runtime, Checkpoint.Info), directions);
            return true;
        }
        catch (UnauthorizedAccessException e)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.PermissionDenied, file);
        }
        catch (IOException e)
        {
            WriteError(e, ErrorIds.OutputWriteFailed, ErrorCategory.WriteError, file);
        }
        return false;
    }

    private ParameterSubset? Subset => Parameter is null ? null : new ParameterSubset(Parameter);

    private DirectionVector MakeTarget(CheckpointInfo checkpoint) =>
        DirectionBuilder.Build(Runtime, checkpoint, new DirectionRecipe
        {
            Kind = DirectionKind.Target,
            Normalization = DirectionNormalization.None,
            IgnoreBiasAndNorm = false,
            BatchNormStatistics = BatchNormStatistics,
            Parameters = Subset,
            CheckpointSha256 = checkpoint.Metadata.StateSha256,
        }, Target.Info);

    private List<DirectionVector> MakePlane(CheckpointInfo checkpoint)
    {
        if (Parameter is not null || BatchNormStatistics != BatchNormStatistics.Running)
            throw new ArgumentException("A curve's plane holds every parameter and leaves the BatchNorm statistics to the surface (-BatchNormStatistics Reset there); -Parameter and -BatchNormStatistics Interpolate do not apply with -Bend.");
        if (Bend!.Info.Metadata.CurveTraining is { } trained && !trained.Connects(checkpoint.Metadata.StateSha256, Target.Info.Metadata.StateSha256))
            WriteWarning($"{Bend.Name} was trained for a curve between other checkpoints than {Checkpoint.Name} and {Target.Name}; the plane through the three points is made all the same.");
        var recipe = new DirectionRecipe
        {
            Kind = DirectionKind.CurvePlane,
            Normalization = DirectionNormalization.None,
            IgnoreBiasAndNorm = false,
            CheckpointSha256 = checkpoint.Metadata.StateSha256,
        };
        var x = DirectionBuilder.Build(Runtime, checkpoint, recipe, Target.Info, Bend.Info);
        var y = DirectionBuilder.Build(Runtime, checkpoint, recipe with { Axis = 1 }, Target.Info, Bend.Info);
        var plane = x.Recipe.Plane!;
        WriteVerbose($"The {plane.Curve} curve's plane: θ* at (0, 0), {Target.Name} at ({plane.TargetX:G6}, 0), {Bend.Name} at ({plane.BendX:G6}, {plane.BendY:G6}).");
        return [x, y];
    }

    private List<DirectionVector> MakeRandom(CheckpointInfo checkpoint)
    {
        var recipe = new DirectionRecipe
        {
            Seed = Seed,
            Normalization = Normalization,
            IgnoreBiasAndNorm = IgnoreBiasAndNorm,
            Parameters = Subset,
            CheckpointSha256 = checkpoint.Metadata.StateSha256,
        };
        WriteVerbose($"Seed {Seed}; {Normalization} normalization; biases and BN {(IgnoreBiasAndNorm ? "zeroed" : "copied from θ*")}.");
        var directions = new List<DirectionVector> { DirectionBuilder.Build(Runtime, checkpoint, recipe) };
        if (Dimensions == 2) directions.Add(DirectionBuilder.Build(Runtime, checkpoint, recipe with { Axis = 1, Orthogonalized = Orthogonalize }));
        return directions;
    }
}
