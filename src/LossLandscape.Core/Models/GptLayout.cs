namespace LossLandscape.Core.Models;

/// <summary>
/// GPT-2's parameter names as layout rules, in one place, so that the zoo Gpt and a TorchScript or
/// imported GPT-2 with the same names are treated alike.
/// </summary>
public static class GptLayout
{
    // GPT-2's Conv1D stores its weight in × out (y = x·W + b), the transpose of nn.Linear.
    private static readonly string[] Conv1DWeights = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>A GPT-2 Conv1D weight (in × out) by its name, whatever prefix it carries (<c>h.3.</c>, <c>transformer.h.3.</c>).</summary>
    public static bool IsConv1DWeight(string name, int rank) =>
        rank == 2 && Conv1DWeights.Any(suffix => name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal));

    /// <summary>
    /// The dimension along which a weight's output units lie: 1 for a Conv1D weight (its columns), 0 for
    /// every other weight (Linear rows, convolution filters, embedding rows, which are also a tied lm_head's output rows).
    /// </summary>
    public static int UnitAxis(string name, int rank) => IsConv1DWeight(name, rank) ? 1 : 0;
}
