using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>What a flat-vector entry is to the paper's direction recipes, which treat each kind differently.</summary>
public enum ParameterRole
{
    /// <summary>A weight of rank &gt; 1 (convolution filters, Linear, Conv1D and embedding weights): filter normalization applies, per output unit (<see cref="ParameterEntry.UnitAxis"/>).</summary>
    Filter,

    /// <summary>
    /// A rank-1 (or scalar) parameter of a layer that is not a BatchNorm: a bias, or a LayerNorm's γ or β.
    /// LayerNorm keeps no running statistics, so nothing tells its γ/β from a bias, and nothing needs to:
    /// both follow the policy of BatchNorm γ/β (zero with IgnoreBiasAndNorm, else a copy of θ*).
    /// </summary>
    Bias,

    /// <summary>A BatchNorm γ or β, or a BatchNorm running statistic (a floating-point buffer).</summary>
    BatchNorm,
}

/// <summary>One tensor's place in a flat vector.</summary>
public sealed record ParameterEntry(string Name, long[] Shape, long Offset, long Length, ParameterRole Role)
{
    public int Rank => Shape.Length;

    /// <summary>The dimension whose slices are this weight's output units (filters): 1 for GPT-2's Conv1D weights, else 0.</summary>
    public int UnitAxis => GptLayout.UnitAxis(Name, Rank);
}

/// <summary>
/// A model's state without its values: every <c>state_dict()</c> entry (names, shapes, dtypes) for
/// validating files, and where each parameter (in <c>named_parameters()</c> order) and each
/// floating-point buffer (BN running statistics; <c>num_batches_tracked</c> is an integer and never
/// moves) sits in a flat vector, for reading and writing direction files without a live model.
/// </summary>
public sealed class ParameterLayout
{
    private static readonly ConcurrentDictionary<ModelSpec, ParameterLayout> BySpec = new();

    // Keyed by instance, not by record equality: a checkpoint is one set of files, and the table lets
    // the layout go when the CheckpointInfo does.
    private static readonly ConditionalWeakTable<CheckpointInfo, ParameterLayout> ByCheckpoint = new();

    private ParameterLayout(IReadOnlyList<ParameterEntry> parameters, IReadOnlyList<ParameterEntry> buffers, IReadOnlyList<StateTensorInfo> stateEntries)
    {
        Parameters = parameters;
        Buffers = buffers;
        StateEntries = stateEntries;
        ParameterLength = parameters.Sum(p => p.Length);
        BufferLength = buffers.Sum(b => b.Length);
        ParameterNames = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<ParameterEntry> Parameters { get; }

    public IReadOnlyList<ParameterEntry> Buffers { get; }

    /// <summary>Every <c>state_dict()</c> entry in its order, integer buffers included.</summary>
    public IReadOnlyList<StateTensorInfo> StateEntries { get; }

    public IReadOnlySet<string> ParameterNames { get; }

    public long ParameterLength { get; }

    public long BufferLength { get; }

    public static ParameterLayout Of(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var buffers = model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => (b.name, b.buffer)).ToArray();
        // A layer with running statistics is a BatchNorm, whatever its class is called (TorchScript hides it).
        var normalizingLayers = buffers.Select(b => OwningLayer(b.name)).ToHashSet(StringComparer.Ordinal);
        var state = model.state_dict()
            .Select(pair => new StateTensorInfo(pair.Key, pair.Value.dtype.ToString().ToLowerInvariant(), pair.Value.shape))
            .ToArray();
        return new ParameterLayout(
            Entries(parameters, name => normalizingLayers.Contains(OwningLayer(name)) ? ParameterRole.BatchNorm : ParameterRole.Bias),
            Entries(buffers, _ => ParameterRole.BatchNorm),
            state);
    }

    /// <summary>The layout of a zoo model, built once per spec.</summary>
    /// <exception cref="ArgumentException">The spec is not a valid zoo model.</exception>
    public static ParameterLayout Of(LandscapeRuntime runtime, ModelSpec spec) => BySpec.GetOrAdd(spec, static (spec, runtime) =>
    {
        using var model = ModelZoo.Create(runtime, spec);
        return Of(model);
    }, runtime);

    /// <summary>
    /// The checkpoint's layout, built once per <see cref="CheckpointInfo"/>: from its zoo spec when it
    /// names one (no weights are read), else from its model (TorchScript carries its own architecture).
    /// </summary>
    public static ParameterLayout Of(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return ByCheckpoint.GetValue(checkpoint, checkpoint =>
        {
            if (checkpoint.Format != CheckpointFormat.TorchScript) return Of(runtime, checkpoint.Metadata.Model);
            using var model = CheckpointStore.LoadModel(runtime, checkpoint);
            return Of(model);
        });
    }

    public float[] FlattenParameters(nn.Module model) => Flatten(model.parameters().Select(p => (Tensor)p), ParameterLength);

    public float[] FlattenBuffers(nn.Module model) =>
        Flatten(model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => b.buffer), BufferLength);

    /// <summary>The first difference between this layout's state entries and a file's contents, or null when they agree.</summary>
    public string? FirstDifference(IReadOnlyList<StateTensorInfo> contents)
    {
        var expected = StateEntries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in contents)
        {
            if (!expected.TryGetValue(entry.Name, out var want))
                return $"the file has '{entry.Name}', which the model does not have";
            if (!want.Shape.SequenceEqual(entry.Shape))
                return $"'{entry.Name}' is [{entry.ShapeText}] in the file but [{want.ShapeText}] in the model";
            if (want.DType != entry.DType)
                return $"'{entry.Name}' is {entry.DType} in the file but {want.DType} in the model";
        }
        var missing = StateEntries.FirstOrDefault(e => contents.All(c => c.Name != e.Name));
        return missing is null ? null : $"the model's '{missing.Name}' is missing from the file";
    }

    private static string OwningLayer(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot < 0 ? "" : name[..dot];
    }

    private static List<ParameterEntry> Entries(IEnumerable<(string Name, Tensor Tensor)> tensors, Func<string, ParameterRole> roleOfVector)
    {
        var entries = new List<ParameterEntry>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var role = tensor.dim() > 1 ? ParameterRole.Filter : roleOfVector(name);
            entries.Add(new ParameterEntry(name, tensor.shape, offset, tensor.numel(), role));
            offset += tensor.numel();
        }
        return entries;
    }

    private static float[] Flatten(IEnumerable<Tensor> tensors, long length)
    {
        var flat = new float[length];
        var offset = 0;
        foreach (var tensor in tensors)
        {
            using var values = tensor.detach().to(ScalarType.Float32).contiguous().cpu();
            var span = values.data<float>().ToArray();
            span.CopyTo(flat, offset);
            offset += span.Length;
        }
        return flat;
    }
}
