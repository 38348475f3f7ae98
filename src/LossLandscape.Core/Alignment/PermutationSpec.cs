using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;

namespace LossLandscape.Core.Alignment;

/// <summary>
/// One dimension of one state tensor that a group permutes. The tensor is seen as
/// [<see cref="Outer"/>, units, <see cref="Inner"/>]: the unit index moves whole blocks of
/// <see cref="Inner"/> values. That one view covers a convolution's output (1, C, in·k·k) and input
/// (out, C, k·k) axes, a BatchNorm vector (1, C, 1) and a Linear reading flattened C×h×w maps
/// (out, C, h·w: channel-major, as <c>flatten(1)</c> lays them out).
/// </summary>
/// <param name="IsParameter">A weight, bias or BatchNorm γ/β, which the matching compares; running statistics only follow their channels.</param>
public sealed record PermutationAxis(string Tensor, int Dimension, long Outer, long Inner, bool IsParameter);

/// <summary>Hidden units that may be reordered together without changing the function: one permutation for all <see cref="Axes"/>.</summary>
/// <param name="Name">The layer (or residual stage) whose outputs the units are, e.g. <c>layers.0</c>, <c>layer2</c>.</param>
public sealed record PermutationGroup(string Name, int Size, IReadOnlyList<PermutationAxis> Axes);

/// <summary>
/// Which state tensors (weights, biases, BatchNorm γ, β and running statistics) each permutation
/// group of a zoo architecture reorders (Ainsworth et al., "Git Re-Basin", ICLR 2023, §3 and
/// Appendix: a permutation of a layer's outputs is undone on the next layer's inputs). A residual
/// stream is one group: every block adds into it, so all blocks of a stage (and the stem before the
/// first stage) share its order, projection shortcuts included; without shortcuts every convolution
/// has its own group.
/// </summary>
public sealed class PermutationSpec
{
    private PermutationSpec(IReadOnlyList<PermutationGroup> groups) => Groups = groups;

    public IReadOnlyList<PermutationGroup> Groups { get; }

    /// <summary>The groups of a zoo model, checked against its layout (every named tensor exists and its size fits the group).</summary>
    /// <exception cref="ArgumentException">Not a zoo architecture, or a Gpt.</exception>
    public static PermutationSpec For(ModelSpec model, ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layout);
        var builder = new Builder(layout);
        var architecture = ModelZoo.CanonicalName(model.Architecture);
        switch (architecture)
        {
            case nameof(Mlp):
                BuildMlp(builder, model.HiddenWidths ?? []);
                break;
            case nameof(DigitsCnn):
                BuildChain(builder, ["conv1", "conv2", "conv3"], ["bn1", "bn2", "bn3"], "linear");
                break;
            case nameof(Vgg9):
                BuildVgg9(builder, layout);
                break;
            case nameof(Gpt):
                throw new ArgumentException($"{nameof(Gpt)} has no permutation spec: weight matching of attention heads is not implemented.", nameof(model));
            default:
                BuildResNet(builder, layout, ModelZoo.HasShortcuts(architecture));
                break;
        }
        return new PermutationSpec(builder.Groups);
    }

    /// <summary>
    /// A copy of <paramref name="state"/> with every group's units reordered: unit i of the result is
    /// unit <paramref name="permutations"/>[group][i] of the input. Tensors no group touches are shared, not copied.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> Apply(IReadOnlyDictionary<string, float[]> state, IReadOnlyList<int[]> permutations)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(permutations);
        if (permutations.Count != Groups.Count)
            throw new ArgumentException($"{permutations.Count} permutations for {Groups.Count} groups.", nameof(permutations));
        var result = new Dictionary<string, float[]>(state, StringComparer.Ordinal);
        for (var g = 0; g < Groups.Count; g++)
        {
            foreach (var axis in Groups[g].Axes)
                result[axis.Tensor] = Permute(result[axis.Tensor], axis, permutations[g]);
        }
        return result;
    }

    internal static float[] Permute(float[] values, PermutationAxis axis, int[] permutation)
    {
        var units = permutation.Length;
        var inner = (int)axis.Inner;
        var permuted = new float[values.Length];
        for (long outer = 0; outer < axis.Outer; outer++)
        {
            var block = outer * units * inner;
            for (var unit = 0; unit < units; unit++)
                Array.Copy(values, block + (long)permutation[unit] * inner, permuted, block + (long)unit * inner, inner);
        }
        return permuted;
    }

    private static void BuildMlp(Builder builder, IReadOnlyList<int> hiddenWidths)
    {
        // layers.0, layers.2, …: the ReLUs hold the odd indices.
        for (var layer = 0; layer < hiddenWidths.Count; layer++)
        {
            var name = $"layers.{2 * layer}";
            var group = builder.Group(name);
            builder.Outputs(group, name);
            builder.Inputs(group, $"layers.{2 * layer + 2}.weight");
        }
    }

    /// <summary>Convolutions each followed by its BatchNorm, each feeding the next; the last feeds <paramref name="head"/>.</summary>
    private static void BuildChain(Builder builder, IReadOnlyList<string> layers, IReadOnlyList<string> norms, string head)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            var group = builder.Group(layers[i]);
            builder.Outputs(group, layers[i]);
            builder.Outputs(group, norms[i]);
            builder.Inputs(group, (i + 1 < layers.Count ? layers[i + 1] : head) + ".weight");
        }
    }

    private static void BuildVgg9(Builder builder, ParameterLayout layout)
    {
        // features.i is a convolution (rank-4 weight) and features.(i+1) its BatchNorm; fc.0 then fc.1 (BatchNorm1d).
        var convolutions = layout.Parameters
            .Where(p => p.Name.StartsWith("features.", StringComparison.Ordinal) && p.Name.EndsWith(".weight", StringComparison.Ordinal) && p.Rank == 4)
            .Select(p => p.Name[..^".weight".Length])
            .ToList();
        var norms = convolutions.Select(c => $"features.{int.Parse(c["features.".Length..], System.Globalization.CultureInfo.InvariantCulture) + 1}").ToList();
        BuildChain(builder, [.. convolutions, "fc.0"], [.. norms, "fc.1"], "classifier");
    }

    private static void BuildResNet(Builder builder, ParameterLayout layout, bool shortcuts)
    {
        var blocks = layout.Parameters
            .Where(p => p.Name.EndsWith(".conv1.weight", StringComparison.Ordinal))
            .Select(p => p.Name[..^".conv1.weight".Length])
            .ToList();
        var stream = builder.Group(shortcuts ? "layer1" : "conv1");
        builder.Outputs(stream, "conv1");
        builder.Outputs(stream, "bn1");
        foreach (var block in blocks)
        {
            var inner = builder.Group($"{block}.conv1");
            builder.Inputs(stream, $"{block}.conv1.weight");
            builder.Outputs(inner, $"{block}.conv1");
            builder.Outputs(inner, $"{block}.bn1");
            builder.Inputs(inner, $"{block}.conv2.weight");

            // With shortcuts a block adds into its input's stream unless a projection starts the next stage's.
            var projection = layout.ParameterNames.Contains($"{block}.shortcut.0.weight");
            var output = !shortcuts ? builder.Group($"{block}.conv2")
                : projection ? builder.Group(block[..block.IndexOf('.', StringComparison.Ordinal)])
                : stream;
            if (projection)
            {
                builder.Inputs(stream, $"{block}.shortcut.0.weight");
                builder.Outputs(output, $"{block}.shortcut.0");
                builder.Outputs(output, $"{block}.shortcut.1");
            }
            builder.Outputs(output, $"{block}.conv2");
            builder.Outputs(output, $"{block}.bn2");
            stream = output;
        }
        builder.Inputs(stream, "linear.weight");
    }

    /// <summary>Collects the axes of each group by tensor name, reading sizes from the layout.</summary>
    private sealed class Builder(ParameterLayout layout)
    {
        private static readonly string[] OutputTensors = ["weight", "bias", "running_mean", "running_var"];
        private readonly Dictionary<string, long[]> shapes = layout.StateEntries.ToDictionary(e => e.Name, e => e.Shape.ToArray(), StringComparer.Ordinal);
        private readonly List<(string Name, List<PermutationAxis> Axes)> groups = [];
        private readonly HashSet<(string, int)> taken = [];

        public IReadOnlyList<PermutationGroup> Groups => groups.Select(g => new PermutationGroup(g.Name, Size(g.Axes), g.Axes)).ToList();

        public int Group(string name)
        {
            groups.Add((name, []));
            return groups.Count - 1;
        }

        /// <summary>Dimension 0 of every weight, bias and running statistic the layer has.</summary>
        public void Outputs(int group, string layer)
        {
            var found = false;
            foreach (var tensor in OutputTensors.Select(t => $"{layer}.{t}").Where(shapes.ContainsKey))
            {
                Add(group, tensor, 0);
                found = true;
            }
            if (!found) throw new ArgumentException($"The layout has no tensors of layer '{layer}'.");
        }

        /// <summary>Dimension 1 of a weight: the layer reads the group's units.</summary>
        public void Inputs(int group, string weight)
        {
            if (!shapes.ContainsKey(weight)) throw new ArgumentException($"The layout has no tensor '{weight}'.");
            Add(group, weight, 1);
        }

        private void Add(int group, string tensor, int dimension)
        {
            if (!taken.Add((tensor, dimension))) throw new ArgumentException($"Dimension {dimension} of '{tensor}' is in two permutation groups.");
            var shape = shapes[tensor];
            var outer = shape.Take(dimension).Aggregate(1L, (a, b) => a * b);
            var units = Size(groups[group].Axes);
            var count = shape.Aggregate(1L, (a, b) => a * b);
            // The first axis (always a layer's own output) fixes the size; later ones must divide into it.
            var size = units > 0 ? units : shape[dimension];
            if (shape[dimension] % size != 0)
                throw new ArgumentException($"Dimension {dimension} of '{tensor}' has {shape[dimension]} entries, not a multiple of the {size} units of group '{groups[group].Name}'.");
            groups[group].Axes.Add(new PermutationAxis(tensor, dimension, outer, count / (outer * size), layout.ParameterNames.Contains(tensor)));
        }

        private int Size(List<PermutationAxis> axes)
        {
            if (axes.Count == 0) return 0;
            var first = axes[0];
            return (int)(shapes[first.Tensor].Aggregate(1L, (a, b) => a * b) / (first.Outer * first.Inner));
        }
    }
}
