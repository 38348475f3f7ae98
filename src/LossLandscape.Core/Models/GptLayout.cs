namespace LossLandscape.Core.Models;

/// <summary>
/// GPT-2's parameter names and layout, in one place, so that the zoo <see cref="Gpt"/> and a
/// TorchScript or imported GPT-2 carrying the same names are treated alike. Names are the canonical
/// ones of Hugging Face's gpt2 files: no <c>transformer.</c> prefix and no <c>lm_head.weight</c>
/// (the head is tied to <c>wte</c>).
/// </summary>
public static class GptLayout
{
    // GPT-2 stores these four as Conv1D, [in, out] with y = x·W + b: the transpose of nn.Linear's [out, in].
    private static readonly string[] Conv1DWeightSuffixes = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>Whether a tensor is one of GPT-2's Conv1D weights (rank 2, in × out), by name, with or without a prefix.</summary>
    public static bool IsConv1DWeight(string name, int rank)
    {
        ArgumentNullException.ThrowIfNull(name);
        return rank == 2 && Conv1DWeightSuffixes.Any(suffix => name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal));
    }

    /// <summary>
    /// The axis along which a weight's output units lie: 1 for Conv1D weights (each output is a
    /// column), 0 for every other weight of rank ≥ 2 (Embedding rows — for <c>wte</c> also the tied
    /// head's output rows —, Linear rows, convolution filters).
    /// </summary>
    public static int UnitAxis(string name, int rank) => IsConv1DWeight(name, rank) ? 1 : 0;

    /// <summary>
    /// The parameters of a GPT-2 with <paramref name="spec"/>'s shape, in PyTorch's order:
    /// <c>wte</c>, <c>wpe</c>, the blocks <c>h.0</c> … <c>h.(n−1)</c>, then <c>ln_f</c>.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Parameters(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long vocabulary = spec.ClassCount, width = spec.EmbeddingWidth, inner = 4L * spec.EmbeddingWidth;
        var parameters = new List<(string, long[])> { ("wte.weight", [vocabulary, width]), ("wpe.weight", [spec.ContextLength, width]) };
        for (var block = 0; block < spec.LayerCount; block++)
        {
            var prefix = $"h.{block}.";
            parameters.AddRange(
            [
                (prefix + "ln_1.weight", [width]), (prefix + "ln_1.bias", [width]),
                (prefix + "attn.c_attn.weight", [width, 3 * width]), (prefix + "attn.c_attn.bias", [3 * width]),
                (prefix + "attn.c_proj.weight", [width, width]), (prefix + "attn.c_proj.bias", [width]),
                (prefix + "ln_2.weight", [width]), (prefix + "ln_2.bias", [width]),
                (prefix + "mlp.c_fc.weight", [width, inner]), (prefix + "mlp.c_fc.bias", [inner]),
                (prefix + "mlp.c_proj.weight", [inner, width]), (prefix + "mlp.c_proj.bias", [width]),
            ]);
        }
        parameters.Add(("ln_f.weight", [width]));
        parameters.Add(("ln_f.bias", [width]));
        return parameters;
    }
}
