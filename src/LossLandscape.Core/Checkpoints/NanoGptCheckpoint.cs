using LossLandscape.Core.Checkpoints.Formats;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// nanoGPT's <c>ckpt.pt</c>: a torch.save dict whose <c>model_args</c> gives the shape (n_layer, n_head,
/// n_embd, block_size, vocab_size, bias) and whose <c>model</c> is the state dict, with <c>transformer.</c>
/// names, behind torch.compile's <c>_orig_mod.</c> where the run compiled the model. It is the zoo's Gpt
/// with the exact erf GELU (<see cref="GptActivation.Gelu"/>) and nn.Linear weights ([out, in], the
/// transpose of GPT-2's Conv1D). <c>lm_head.weight</c> must be <c>wte.weight</c> bit for bit (nanoGPT ties
/// them); the causal <c>attn.bias</c> buffers of runs without flash attention are skipped. Every name and
/// shape is checked against <see cref="GptLayout.Parameters"/> before a weight byte is read.
/// </summary>
public static class NanoGptCheckpoint
{
    private const string ArgumentsKey = "model_args";
    private const string StateKey = "model";
    private const string CompilePrefix = "_orig_mod.";
    private const string TransformerPrefix = "transformer.";
    private const string HeadName = "lm_head.weight";
    private const string EmbeddingName = "wte.weight";
    private const string CausalMaskSuffix = ".attn.bias";

    /// <summary>The zoo spec of a nanoGPT checkpoint's pickled object, or null where it is not one (no <c>model_args</c> beside a <c>model</c> dict).</summary>
    /// <exception cref="CheckpointException">It is one, but of a shape the zoo's Gpt does not compute or that is too large.</exception>
    public static ModelSpec? SpecOf(string path, object? root)
    {
        if (root is not PickleDictionary dictionary
            || !dictionary.TryGetValue(ArgumentsKey, out var found) || found is not PickleDictionary arguments
            || !dictionary.TryGetValue(StateKey, out var state) || state is not PickleDictionary)
            return null;
        if (!arguments.TryGetValue("bias", out var bias) || bias is not true)
            throw new CheckpointException(CheckpointErrorKind.Unsupported, path,
                $"'{path}' is a nanoGPT checkpoint with bias {(bias is false ? "False" : PickleValues.Describe(bias))} in its model_args: its LayerNorms and Linear layers have no biases, and only models trained with bias=True are read.");
        var layers = PositiveInteger(path, arguments, "n_layer");
        var heads = PositiveInteger(path, arguments, "n_head");
        var width = PositiveInteger(path, arguments, "n_embd");
        var positions = PositiveInteger(path, arguments, "block_size");
        var vocabulary = PositiveInteger(path, arguments, "vocab_size");
        if (width % heads != 0)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}': model_args n_embd {width} is not a multiple of n_head {heads}.");
        return HuggingFaceConfig.BoundedSpec(path, "'s model_args", layers, heads, width, vocabulary, positions, GptActivation.Gelu);
    }

    /// <summary>Checks every name, shape and element type, then reads the weights, the tie and NaN/±∞ counts.</summary>
    /// <param name="root">The file's pickled object (<see cref="PyTorchCheckpointReader.ReadPickle"/>), of which <paramref name="spec"/> was made.</param>
    /// <exception cref="CheckpointException">With the <see cref="CheckpointErrorKind"/> of the first problem.</exception>
    public static CheckpointInfo Read(string path, object? root, ModelSpec spec)
    {
        var (state, plan) = ReadState(path, root, spec);
        var tensors = plan.Select(p =>
        {
            var stored = state[p.FileName];
            return new StateTensorInfo(p.Name, stored.DType.ToString().ToLowerInvariant(), p.Shape) { NonFiniteCount = stored.ToFloat32().Count(v => !float.IsFinite(v)) };
        }).ToArray();
        var metadata = new CheckpointMetadata
        {
            Model = spec,
            StateFile = Path.GetFileName(path),
            StateSha256 = CheckpointStore.Sha256(path),
        };
        return new CheckpointInfo(path, path, metadata, tensors, LayerSummary.From(tensors, plan.Select(p => p.Name).ToHashSet(StringComparer.Ordinal)),
            HuggingFaceConfig.ParameterCount(spec.ClassCount, spec.ContextLength, spec.LayerCount, spec.EmbeddingWidth))
        {
            Format = CheckpointFormat.PyTorch,
            Conversions = tensors.Where(t => t.DType != "float32").Select(t => $"'{t.Name}' is {t.DType} in the file and becomes float32").ToArray(),
        };
    }

    /// <summary>Builds the zoo's Gpt (exact GELU) and copies the file's weights into it, nn.Linear weights transposed into Conv1D's [in, out] (eval mode).</summary>
    public static nn.Module LoadModel(LandscapeRuntime runtime, string path, object? root, ModelSpec spec)
    {
        var (state, plan) = ReadState(path, root, spec);
        var model = ModelZoo.Create(runtime, spec);
        try
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                foreach (var (name, fileName, _, transposed) in plan)
                {
                    var source = state[fileName];
                    var values = tensor(source.ToFloat32(), source.Shape);
                    parameters[name].copy_(transposed ? values.t() : values);
                }
            }
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One zoo parameter: its name in the file, its zoo shape, and whether the file stores it as nn.Linear's transpose.</summary>
    private sealed record PlannedTensor(string Name, string FileName, long[] Shape, bool Transposed);

    private static (StateDictionary State, IReadOnlyList<PlannedTensor> Plan) ReadState(string path, object? root, ModelSpec spec)
    {
        // SpecOf found the state dict there; its keys tell whether torch.compile's wrapper named them.
        ((PickleDictionary)root!).TryGetValue(StateKey, out var stateDictionary);
        var names = ((PickleDictionary)stateDictionary!).Entries.Select(e => e.Key).ToArray();
        var prefix = names.Length > 0 && names.All(n => n is string name && name.StartsWith(CompilePrefix, StringComparison.Ordinal)) ? CompilePrefix : "";
        var plan = GptLayout.Parameters(spec)
            .Select(p => new PlannedTensor(p.Name, prefix + TransformerPrefix + p.Name, p.Shape, GptLayout.IsConv1DWeight(p.Name, p.Shape.Length))).ToArray();
        var required = plan.ToDictionary(p => p.FileName, p => p.Transposed ? [p.Shape[1], p.Shape[0]] : p.Shape, StringComparer.Ordinal);
        var headName = prefix + HeadName;
        required[headName] = [spec.ClassCount, spec.EmbeddingWidth];
        long[] maskShape = [1, 1, spec.ContextLength, spec.ContextLength];
        var masks = Enumerable.Range(0, spec.LayerCount).Select(block => $"{prefix}{TransformerPrefix}h.{block}{CausalMaskSuffix}").ToHashSet(StringComparer.Ordinal);
        var expected = required.Concat(masks.Select(mask => KeyValuePair.Create(mask, maskShape)))
            .ToDictionary(e => e.Key, e => e.Value.Aggregate(1L, (count, size) => count * size), StringComparer.Ordinal);

        var budget = ReadBudget.ForState(expected, declared => Compare(declared, required, masks, maskShape));
        StateDictionary state;
        try
        {
            state = ForeignStateCheckpoint.Guarded(path, () => PyTorchCheckpointReader.Read(path, budget).State);
        }
        catch (DeclaredStateMismatchException mismatch)
        {
            throw new CheckpointException(CheckpointErrorKind.ArchitectureMismatch, path, $"'{path}' does not hold the GPT its model_args describe: {mismatch.Message}.", mismatch);
        }
        var (head, embedding) = (state[headName], state[prefix + TransformerPrefix + EmbeddingName]);
        if (head.DType != embedding.DType || !head.Data.AsSpan().SequenceEqual(embedding.Data))
            throw new CheckpointException(CheckpointErrorKind.Unsupported, path,
                $"'{path}' has an lm_head.weight that is not its wte.weight: an untied output head is not supported (the zoo's Gpt computes logits as h·wteᵀ, as nanoGPT does).");
        return (state, plan);
    }

    /// <summary>Why the declared tensors are not the model_args' GPT, or null where they are; runs before any tensor data is read.</summary>
    private static string? Compare(IReadOnlyList<DeclaredTensor> declared, Dictionary<string, long[]> required, HashSet<string> masks, long[] maskShape)
    {
        var names = declared.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = required.Keys.Where(name => !names.Contains(name)).ToArray();
        var unexpected = declared.Where(t => !required.ContainsKey(t.Name) && !masks.Contains(t.Name)).Select(t => t.Name).ToArray();
        long[] Want(string name) => required.TryGetValue(name, out var shape) ? shape : maskShape;
        var mismatch = declared.FirstOrDefault(t => !unexpected.Contains(t.Name) && !Want(t.Name).SequenceEqual(t.Shape));
        // Integers cast to float become weights of any magnitude.
        var wrongKind = declared.FirstOrDefault(t => !t.DType.IsFloatingPoint());
        var parts = new List<string>();
        if (missing.Length > 0) parts.Add($"missing keys {List(missing)}");
        if (unexpected.Length > 0) parts.Add($"unexpected keys {List(unexpected)}");
        if (mismatch is not null) parts.Add($"'{mismatch.Name}' is [{string.Join("×", mismatch.Shape)}] in the file but [{string.Join("×", Want(mismatch.Name))}] in nanoGPT's layout");
        if (wrongKind is not null) parts.Add($"'{wrongKind.Name}' is {wrongKind.DType.ToString().ToLowerInvariant()}, not a float type");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string List(string[] names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Length > 5 ? $" and {names.Length - 5} more" : "");

    private static int PositiveInteger(string path, PickleDictionary arguments, string name)
    {
        if (!arguments.TryGetValue(name, out var value))
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}''s model_args have no {name}: nanoGPT saves n_layer, n_head, n_embd, block_size, bias and vocab_size.");
        if (value is not long number || number < 1 || number > int.MaxValue)
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"'{path}': model_args {name} is {PickleValues.Describe(value)}, not a positive integer below 2³¹.");
        return (int)number;
    }
}
