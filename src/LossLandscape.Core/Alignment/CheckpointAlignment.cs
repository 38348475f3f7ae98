using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Alignment;

/// <summary>What cannot be aligned; the module maps each to its error id.</summary>
public enum AlignmentProblem
{
    /// <summary>A model whose permutation groups are unknown: a TorchScript model (no zoo architecture), or a Gpt (attention heads are not matched).</summary>
    UnsupportedModel,

    /// <summary>The two checkpoints are not the same zoo model (architecture, widths, input or classes differ).</summary>
    ArchitectureMismatch,

    /// <summary>A checkpoint holds NaN or infinite weights.</summary>
    NonFinite,
}

public sealed class AlignmentException(AlignmentProblem problem, string message) : Exception(message)
{
    public AlignmentProblem Problem { get; } = problem;
}

/// <summary>What to align to what, and how long to search.</summary>
public sealed record AlignmentSpec
{
    public required CheckpointInfo Reference { get; init; }

    /// <summary>The checkpoint whose hidden units are reordered to match <see cref="Reference"/>.</summary>
    public required CheckpointInfo Target { get; init; }

    /// <summary>Draws the order in which each sweep visits the groups.</summary>
    public long Seed { get; init; }

    public int MaxIterations { get; init; } = WeightMatching.DefaultMaxIterations;
}

/// <param name="AlignedState">The target's floating-point state (parameters and BatchNorm statistics) with its units aligned.</param>
public sealed record AlignmentResult(WeightMatchingResult Matching, IReadOnlyDictionary<string, float[]> AlignedState);

/// <summary>Weight matching between two checkpoints of one zoo model, and writing the aligned target as a checkpoint.</summary>
public static class CheckpointAlignment
{
    /// <param name="groupMatched">Progress: the sweep (from 1) and how many groups it has matched (see <see cref="WeightMatching.Match"/>).</param>
    /// <exception cref="AlignmentException">A TorchScript or Gpt checkpoint, two different models, or non-finite weights.</exception>
    public static AlignmentResult Align(LandscapeRuntime runtime, AlignmentSpec spec, Action<int, int>? groupMatched = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.MaxIterations, 1);
        foreach (var checkpoint in new[] { spec.Reference, spec.Target })
        {
            if (checkpoint.Format == CheckpointFormat.TorchScript)
                throw new AlignmentException(AlignmentProblem.UnsupportedModel,
                    $"'{checkpoint.StatePath}' is a TorchScript model: which of its units may be permuted together is unknown. Weight matching needs a zoo architecture; import the model's state dictionary with -Architecture instead.");
            if (string.Equals(checkpoint.Metadata.Model.Architecture, nameof(Gpt), StringComparison.OrdinalIgnoreCase))
                throw new AlignmentException(AlignmentProblem.UnsupportedModel,
                    $"'{checkpoint.StatePath}' is a {nameof(Gpt)}: weight matching of attention heads and the residual stream is not implemented; it aligns MLPs and CNNs of the zoo.");
            if (checkpoint.NonFiniteCount > 0)
                throw new AlignmentException(AlignmentProblem.NonFinite, $"'{checkpoint.StatePath}' holds {checkpoint.NonFiniteCount} NaN or infinite value(s): there is nothing to match.");
        }
        var model = spec.Reference.Metadata.Model;
        if (!model.Equals(spec.Target.Metadata.Model))
            throw new AlignmentException(AlignmentProblem.ArchitectureMismatch,
                $"'{spec.Target.StatePath}' is a {Describe(spec.Target.Metadata.Model)}, but '{spec.Reference.StatePath}' is a {Describe(model)}: only two checkpoints of the same model can be aligned.");

        var permutationSpec = PermutationSpec.For(model, ParameterLayout.Of(runtime, model));
        var reference = ReadState(runtime, spec.Reference);
        var target = ReadState(runtime, spec.Target);
        var matching = WeightMatching.Match(permutationSpec, reference, target, spec.Seed, spec.MaxIterations, groupMatched);
        return new AlignmentResult(matching, permutationSpec.Apply(target, matching.Permutations.Select(p => p.Permutation).ToArray()));
    }

    /// <summary>
    /// Writes <paramref name="state"/> as a checkpoint in our format, <c>name.dat</c> and <c>name.json</c> in
    /// <paramref name="directory"/>: the target's model with its side file's metadata (epoch, data set, training, metrics) kept.
    /// </summary>
    public static CheckpointInfo Write(LandscapeRuntime runtime, CheckpointInfo target, IReadOnlyDictionary<string, float[]> state, string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        using var model = CheckpointStore.LoadModel(runtime, target);
        WriteState(model, state);
        return CheckpointStore.Write(runtime, model, target.Metadata, directory, name);
    }

    /// <summary>Every floating-point state-dictionary tensor as float32 values, by name.</summary>
    public static Dictionary<string, float[]> ReadState(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        return ReadState(model);
    }

    public static Dictionary<string, float[]> ReadState(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            using var values = tensor.detach().to(ScalarType.Float32).contiguous().cpu();
            state[name] = values.data<float>().ToArray();
        }
        return state;
    }

    /// <summary>Copies the values into the model's tensors of the same names, in place.</summary>
    public static void WriteState(nn.Module model, IReadOnlyDictionary<string, float[]> state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        using var noGrad = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (!state.TryGetValue(name, out var values)) continue;
            using var source = torch.tensor(values, tensor.shape, dtype: ScalarType.Float32);
            tensor.copy_(source);
        }
    }

    private static string Describe(ModelSpec spec) =>
        $"{spec.Architecture} ({spec.InputChannels}×{spec.InputHeight}×{spec.InputWidth} in, {spec.ClassCount} classes"
        + (spec.HiddenWidths is { Count: > 0 } widths ? $", hidden {string.Join("-", widths)}" : "")
        + (spec.WidthFactor != 1 ? $", k = {spec.WidthFactor}" : "") + ")";
}
