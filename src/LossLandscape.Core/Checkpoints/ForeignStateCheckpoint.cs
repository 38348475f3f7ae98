using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// State dictionaries written by PyTorch (torch.save, zip or legacy) or as safetensors. They hold
/// weights only: the architecture is named by the user and checked against the file before any
/// tensor reaches libtorch.
/// </summary>
public static class ForeignStateCheckpoint
{
    public const string SafetensorsExtension = ".safetensors";

    // PyTorch before 0.4.1 wrote BatchNorm without it; it never affects evaluation.
    private const string OptionalBuffer = "num_batches_tracked";

    /// <exception cref="CheckpointException">Unreadable, hostile, or not of the named architecture.</exception>
    public static CheckpointInfo Read(LandscapeRuntime runtime, string path, ModelSpec? architecture)
    {
        var fullPath = Path.GetFullPath(path);
        var (state, format, extras) = ReadState(fullPath);
        if (architecture is null)
            throw new CheckpointException(CheckpointErrorKind.UnknownArchitecture, fullPath, $"'{fullPath}' is a {format} state dictionary, which holds weights but not the architecture: give -Architecture (one of {string.Join(", ", ModelZoo.Architectures)}), or save the model with torch.jit.save to carry it.");

        ParameterLayout layout;
        try
        {
            layout = ParameterLayout.Of(runtime, architecture);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(CheckpointErrorKind.UnknownArchitecture, fullPath, e.Message, e);
        }
        var problem = Compare(layout, state);
        if (problem is not null)
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, fullPath, $"'{fullPath}' does not fit {architecture.Architecture}: {problem}.");

        var tensors = state.Tensors.Select(t => new StateTensorInfo(t.Name, t.DType.ToString().ToLowerInvariant(), t.Shape) { NonFiniteCount = CountNonFinite(t) }).ToArray();
        var metadata = new CheckpointMetadata
        {
            Model = architecture,
            StateFile = Path.GetFileName(fullPath),
            StateSha256 = CheckpointStore.Sha256(fullPath),
            Epoch = extras.TryGetValue("epoch", out var epoch) && epoch is long savedEpoch ? (int)savedEpoch : null,
        };
        return new CheckpointInfo(fullPath, fullPath, metadata, tensors, LayerSummary.From(tensors, layout.ParameterNames), layout.ParameterLength)
        {
            Format = format,
        };
    }

    /// <summary>Builds the zoo model and copies the file's tensors into it by name (eval mode).</summary>
    public static nn.Module LoadModel(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        var (state, _, _) = ReadState(checkpoint.StatePath);
        var model = ModelZoo.Create(runtime, checkpoint.Metadata.Model);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (name, target) in model.state_dict())
            {
                if (!state.TryGet(name, out var source)) continue;
                var values = target.dtype == ScalarType.Int64 && source.DType == TensorDType.Int64
                    ? tensor(source.ToInt64(), source.Shape)
                    : tensor(source.ToFloat32(), source.Shape);
                target.copy_(values.to(target.dtype));
            }
        }
        model.eval();
        return model;
    }

    private static (StateDictionary State, CheckpointFormat Format, IReadOnlyDictionary<string, object> Extras) ReadState(string path)
    {
        try
        {
            if (string.Equals(Path.GetExtension(path), SafetensorsExtension, StringComparison.OrdinalIgnoreCase))
                return (SafetensorsReader.Read(path).State, CheckpointFormat.Safetensors, new Dictionary<string, object>());
            var checkpoint = PyTorchCheckpointReader.Read(path);
            return (checkpoint.State, CheckpointFormat.PyTorch, checkpoint.Extras);
        }
        catch (UnsafePickleException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Unsafe, path, $"'{path}' was refused: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' is not a readable checkpoint: {e.Message}", e);
        }
    }

    private static string? Compare(ParameterLayout layout, StateDictionary state)
    {
        var expected = layout.StateEntries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var missing = layout.StateEntries.Where(e => !state.TryGet(e.Name, out _) && !e.Name.EndsWith(OptionalBuffer, StringComparison.Ordinal)).Select(e => e.Name).ToArray();
        var unexpected = state.Names.Where(n => !expected.ContainsKey(n)).ToArray();
        var mismatch = state.Tensors.FirstOrDefault(t => expected.TryGetValue(t.Name, out var want) && !want.Shape.SequenceEqual(t.Shape));
        if (missing.Length == 0 && unexpected.Length == 0 && mismatch is null) return null;
        var parts = new List<string>();
        if (missing.Length > 0) parts.Add($"missing keys {List(missing)}");
        if (unexpected.Length > 0) parts.Add($"unexpected keys {List(unexpected)}");
        if (mismatch is not null) parts.Add($"'{mismatch.Name}' is [{mismatch.ShapeText}] in the file but [{expected[mismatch.Name].ShapeText}] in the model");
        return string.Join("; ", parts);
    }

    private static string List(string[] names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Length > 5 ? $" and {names.Length - 5} more" : "");

    private static long CountNonFinite(NamedTensor tensor) =>
        tensor.DType.IsFloatingPoint()
            ? tensor.ToFloat32().Count(v => !float.IsFinite(v))
            : 0;
}
