using System.Management.Automation;
using LossLandscape.Core.Alignment;
using LossLandscape.Core.Checkpoints;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Permutes the hidden units of each piped checkpoint to match -Reference (weight matching, Ainsworth
/// et al., "Git Re-Basin", ICLR 2023) and, with -OutFile, writes the aligned checkpoint in our format.
/// The function the checkpoint computes does not change; only the order of its units does.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PermutationAlignment", SupportsShouldProcess = true)]
[OutputType(typeof(PermutationAlignment))]
public sealed class GetPermutationAlignmentCommand : LandscapeCmdlet
{
    /// <summary>The checkpoint whose units are permuted (the target).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Checkpoint { get; set; } = null!;

    [Parameter(Mandatory = true)]
    [Rehydrate(typeof(Checkpoint))]
    public Checkpoint Reference { get; set; } = null!;

    /// <summary>Draws the order in which each sweep visits the permutation groups.</summary>
    [Parameter]
    public long Seed { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000)]
    public int MaxIterations { get; set; } = WeightMatching.DefaultMaxIterations;

    /// <summary>The aligned checkpoint's state file: <c>name.dat</c> and its side file <c>name.json</c> are written (.dat is added when missing).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        string? statePath = null;
        var existing = false;
        if (OutFile is not null)
        {
            statePath = GetUnresolvedProviderPathFromPSPath(OutFile);
            if (!string.Equals(Path.GetExtension(statePath), CheckpointStore.StateExtension, StringComparison.OrdinalIgnoreCase))
                statePath += CheckpointStore.StateExtension;
            // Both files there: a rerun keeps them if they hold exactly this alignment (checked once it is computed).
            existing = !Force && File.Exists(statePath) && File.Exists(Path.ChangeExtension(statePath, CheckpointStore.MetadataExtension));
            if (!existing && (!MayWrite(statePath, Force) || !MayWrite(Path.ChangeExtension(statePath, CheckpointStore.MetadataExtension), Force))) return;
            if (!ShouldProcess(statePath, $"Write {Checkpoint.Name} aligned to {Reference.Name}")) return;
        }

        AlignmentResult result;
        var progress = new ProgressReporter(this, $"Weight matching {Checkpoint.Name} to {Reference.Name}");
        try
        {
            result = CheckpointAlignment.Align(Runtime, new AlignmentSpec { Reference = Reference.Info, Target = Checkpoint.Info, Seed = Seed, MaxIterations = MaxIterations },
                (sweep, groups) => progress.Report($"Sweep {sweep} (at most {MaxIterations}): {groups} group(s) matched"));
        }
        catch (AlignmentException e)
        {
            var (id, category) = e.Problem switch
            {
                AlignmentProblem.UnsupportedModel => (ErrorIds.AlignmentUnsupportedModel, ErrorCategory.InvalidArgument),
                AlignmentProblem.ArchitectureMismatch => (ErrorIds.AlignmentArchitectureMismatch, ErrorCategory.InvalidArgument),
                _ => (ErrorIds.CheckpointNonFinite, ErrorCategory.InvalidData),
            };
            WriteError(e, id, category, Checkpoint);
            return;
        }
        catch (CheckpointException e)
        {
            WriteError(e, ErrorIds.CheckpointCorrupt, ErrorCategory.InvalidData, Checkpoint);
            return;
        }
        finally
        {
            progress.Complete();
        }

        var matching = result.Matching;
        WriteVerbose($"Weight matching of {Checkpoint.Name} to {Reference.Name}, seed {Seed}: {matching.Iterations} sweep(s), {(matching.Converged ? "converged" : "not converged")}; objective {matching.ObjectiveBefore:G6} → {matching.ObjectiveAfter:G6}.");
        if (!matching.Converged)
            WriteWarning($"Weight matching stopped after {MaxIterations} sweeps with permutations still changing; raise -MaxIterations for a fixed point.");

        Checkpoint? aligned = null;
        if (statePath is not null && existing)
        {
            if (HeldCheckpoint(statePath, result.AlignedState) is not { } held)
            {
                WriteError(new IOException($"'{statePath}' exists and holds another checkpoint; use -Force to overwrite it."), ErrorIds.OutputFileExists, ErrorCategory.ResourceExists, statePath);
                return;
            }
            aligned = new Checkpoint(held);
            WriteVerbose($"{statePath} already holds this aligned checkpoint; kept as it is.");
        }
        else if (statePath is not null)
        {
            try
            {
                var name = Path.GetFileNameWithoutExtension(statePath);
                aligned = new Checkpoint(CheckpointAlignment.Write(Runtime, Checkpoint.Info, result.AlignedState, Path.GetDirectoryName(statePath)!, name));
                WriteVerbose($"Aligned checkpoint written to {statePath}.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(e, ErrorIds.OutputWriteFailed, e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, statePath);
                return;
            }
        }
        WriteObject(new PermutationAlignment(Reference, Checkpoint, aligned, matching, Seed));
    }

    /// <summary>The checkpoint at <paramref name="statePath"/> when its values are exactly <paramref name="state"/>; null when they differ or it cannot be read.</summary>
    private CheckpointInfo? HeldCheckpoint(string statePath, IReadOnlyDictionary<string, float[]> state)
    {
        try
        {
            var held = CheckpointStore.Read(Runtime, statePath);
            var values = CheckpointAlignment.ReadState(Runtime, held);
            return values.Count == state.Count && state.All(p => values.TryGetValue(p.Key, out var v) && v.AsSpan().SequenceEqual(p.Value)) ? held : null;
        }
        catch (Exception e) when (e is CheckpointException or IOException or InvalidDataException)
        {
            return null;
        }
    }
}
