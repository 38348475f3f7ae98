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
        if (NanoGpt(fullPath, architecture) is ({ } root, { } nanoSpec)) return NanoGptCheckpoint.Read(fullPath, root, nanoSpec);
        if (architecture is null)
        {
            // Read anyway, within k × the file's size, so a damaged or hostile file says so first.
            var (read, readFormat, _) = ReadState(fullPath, ReadBudget.ForFile(new FileInfo(fullPath).Length));
            RefusePickledGpt(fullPath, read.Names);
            throw new CheckpointException(CheckpointErrorKind.UnknownArchitecture, fullPath, $"'{fullPath}' is a {readFormat} state dictionary, which holds weights but not the architecture: give -Architecture (one of {string.Join(", ", ModelZoo.Architectures)}), or save the model with torch.jit.save to carry it.");
        }

        ParameterLayout layout;
        try
        {
            layout = ParameterLayout.Of(runtime, architecture);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(CheckpointErrorKind.UnknownArchitecture, fullPath, e.Message, e);
        }
        var conversions = new List<string>();
        StateDictionary state;
        CheckpointFormat format;
        IReadOnlyDictionary<string, object> extras;
        try
        {
            (state, format, extras) = ReadState(fullPath, BudgetFor(layout, conversions, fullPath));
        }
        catch (DeclaredStateMismatchException mismatch)
        {
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, fullPath, $"'{fullPath}' does not fit {architecture.Architecture}: {mismatch.Message}.", mismatch);
        }

        var tensors = state.Tensors.Select(t => new StateTensorInfo(t.Name, t.DType.ToString().ToLowerInvariant(), t.Shape) { NonFiniteCount = CountNonFinite(t) }).ToArray();
        var metadata = new CheckpointMetadata
        {
            Model = architecture,
            StateFile = Path.GetFileName(fullPath),
            StateSha256 = CheckpointStore.Sha256(fullPath),
            Epoch = extras.TryGetValue("epoch", out var epoch) && epoch is long savedEpoch ? (int)savedEpoch : null,
            // The paper code's cifar10/main.py saves 100 − test error as 'acc': the test accuracy in percent.
            TestAccuracy = extras.TryGetValue("acc", out var accuracy) ? accuracy switch { double d => d, long l => l, _ => null } : null,
        };
        return new CheckpointInfo(fullPath, fullPath, metadata, tensors, LayerSummary.From(tensors, layout.ParameterNames), layout.ParameterLength)
        {
            Format = format,
            Conversions = conversions,
        };
    }

    /// <summary>Builds the zoo model and copies the file's tensors into it by name (eval mode).</summary>
    public static nn.Module LoadModel(LandscapeRuntime runtime, CheckpointInfo checkpoint)
    {
        if (NanoGpt(checkpoint.StatePath, checkpoint.Metadata.Model) is ({ } root, { } nanoSpec))
        {
            if (!nanoSpec.Equals(checkpoint.Metadata.Model))
                throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, checkpoint.StatePath, $"'{checkpoint.StatePath}' no longer holds the nanoGPT model it was imported as.");
            return NanoGptCheckpoint.LoadModel(runtime, checkpoint.StatePath, root, nanoSpec);
        }
        StateDictionary state;
        try
        {
            (state, _, _) = ReadState(checkpoint.StatePath, BudgetFor(ParameterLayout.Of(runtime, checkpoint.Metadata.Model), [], checkpoint.StatePath));
        }
        catch (DeclaredStateMismatchException mismatch)
        {
            // The file changed since it was imported.
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, checkpoint.StatePath, $"'{checkpoint.StatePath}' no longer fits {checkpoint.Metadata.Model.Architecture}: {mismatch.Message}.", mismatch);
        }
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

    /// <summary>The file may hold only the layout's tensors, in its shapes and kinds of element, and allocate no more than their size.</summary>
    /// <param name="conversions">Receives each float tensor stored in another float type than the model's (it is converted on load).</param>
    private static ReadBudget BudgetFor(ParameterLayout layout, List<string> conversions, string path) =>
        ReadBudget.ForState(layout.StateEntries.ToDictionary(e => e.Name, e => e.ElementCount, StringComparer.Ordinal), declared =>
        {
            RefusePickledGpt(path, declared.Select(t => t.Name));
            return Compare(layout, declared, conversions);
        });

    /// <summary>
    /// The pickled object and zoo spec of a nanoGPT ckpt.pt (it names its own shape in model_args), or
    /// nulls. Only a pickle whose architecture is unknown or Gpt is looked into: a file given as another
    /// architecture is read and checked as before.
    /// </summary>
    private static (object? Root, ModelSpec? Spec) NanoGpt(string path, ModelSpec? architecture)
    {
        if (IsSafetensors(path) || (architecture is not null && !string.Equals(architecture.Architecture, nameof(Gpt), StringComparison.OrdinalIgnoreCase))) return (null, null);
        var root = Guarded(path, () => PyTorchCheckpointReader.ReadPickle(path, ReadBudget.ForFile(new FileInfo(path).Length)));
        return NanoGptCheckpoint.SpecOf(path, root) is { } spec ? (root, spec) : (null, null);
    }

    /// <summary>
    /// A GPT-2 state in a pickle that is not a nanoGPT checkpoint with its model_args (a pytorch_model.bin,
    /// or a ckpt.pt given as another architecture): its shape is in files the pickle does not carry.
    /// </summary>
    private static void RefusePickledGpt(string path, IEnumerable<string> names)
    {
        if (!names.Any(name => name is "transformer.wte.weight" or "_orig_mod.transformer.wte.weight")) return;
        throw new CheckpointException(CheckpointErrorKind.Unsupported, path,
            $"'{path}' holds a GPT state dictionary in a pickle without nanoGPT's model_args (a pytorch_model.bin, or a nanoGPT ckpt.pt given with another -Architecture), whose shape the file does not carry. " +
            "Import a nanoGPT ckpt.pt without -Architecture, or a Hugging Face GPT-2 folder (config.json and model.safetensors).");
    }

    private static bool IsSafetensors(string path) => string.Equals(Path.GetExtension(path), SafetensorsExtension, StringComparison.OrdinalIgnoreCase);

    private static (StateDictionary State, CheckpointFormat Format, IReadOnlyDictionary<string, object> Extras) ReadState(string path, ReadBudget budget) =>
        Guarded(path, () =>
        {
            if (IsSafetensors(path))
                return (SafetensorsReader.Read(path, budget).State, CheckpointFormat.Safetensors, (IReadOnlyDictionary<string, object>)new Dictionary<string, object>());
            var checkpoint = PyTorchCheckpointReader.Read(path, budget);
            return (checkpoint.State, CheckpointFormat.PyTorch, checkpoint.Extras);
        });

    /// <summary>Runs a reader, turning its refusals into <see cref="CheckpointException"/>s of their kind.</summary>
    internal static T Guarded<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (UnsafePickleException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Unsafe, path, $"'{path}' was refused: {e.Message}", e);
        }
        catch (CheckpointTooLargeException e)
        {
            throw new CheckpointException(CheckpointErrorKind.TooLarge, path, $"'{path}' was refused before reading its data: {e.Message}.", e);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}' is not a readable checkpoint: {e.Message}", e);
        }
    }

    /// <summary>Why the declared tensors are not the layout's state, or null where they are; runs before any tensor data is read.</summary>
    private static string? Compare(ParameterLayout layout, IReadOnlyList<DeclaredTensor> declared, List<string> conversions)
    {
        var expected = layout.StateEntries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var names = declared.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = layout.StateEntries.Where(e => !names.Contains(e.Name) && !e.Name.EndsWith(OptionalBuffer, StringComparison.Ordinal)).Select(e => e.Name).ToArray();
        var unexpected = declared.Where(t => !expected.ContainsKey(t.Name)).Select(t => t.Name).ToArray();
        var mismatch = declared.FirstOrDefault(t => expected.TryGetValue(t.Name, out var want) && !want.Shape.SequenceEqual(t.Shape));
        // Integers cast to float become weights of any magnitude (an I32 read as ~1e9), and a float count is no count.
        var wrongKind = declared.FirstOrDefault(t => expected.TryGetValue(t.Name, out var want) && t.DType.IsFloatingPoint() != IsFloatingPoint(want.DType));
        if (missing.Length == 0 && unexpected.Length == 0 && mismatch is null && wrongKind is null)
        {
            conversions.AddRange(declared.Where(t => t.DType.IsFloatingPoint() && DTypeName(t.DType) != expected[t.Name].DType)
                .Select(t => $"'{t.Name}' is {DTypeName(t.DType)} in the file and becomes {expected[t.Name].DType}"));
            return null;
        }
        var parts = new List<string>();
        if (missing.Length > 0) parts.Add($"missing keys {List(missing)}");
        if (unexpected.Length > 0) parts.Add($"unexpected keys {List(unexpected)}");
        if (mismatch is not null) parts.Add($"'{mismatch.Name}' is [{ShapeText(mismatch.Shape)}] in the file but [{expected[mismatch.Name].ShapeText}] in the model");
        if (wrongKind is not null) parts.Add($"'{wrongKind.Name}' is {DTypeName(wrongKind.DType)} in the file but {expected[wrongKind.Name].DType} in the model, and integers and floats are not converted into each other");
        return string.Join("; ", parts);
    }

    private static string DTypeName(TensorDType dtype) => dtype.ToString().ToLowerInvariant();

    // Layout element types are libtorch's names: float16, bfloat16, float32, float64, int64, …
    private static bool IsFloatingPoint(string modelDType) => modelDType.Contains("float", StringComparison.Ordinal);

    private static string ShapeText(long[] shape) => shape.Length == 0 ? "scalar" : string.Join("×", shape);

    private static string List(string[] names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Length > 5 ? $" and {names.Length - 5} more" : "");

    private static long CountNonFinite(NamedTensor tensor) =>
        tensor.DType.IsFloatingPoint()
            ? tensor.ToFloat32().Count(v => !float.IsFinite(v))
            : 0;
}
