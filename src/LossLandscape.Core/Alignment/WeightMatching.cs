using System.Runtime.Intrinsics;
using LossLandscape.Core.Data;

namespace LossLandscape.Core.Alignment;

/// <summary>One group's permutation: aligned unit i is the target's unit <see cref="Permutation"/>[i].</summary>
public sealed record GroupPermutation(string Group, int[] Permutation)
{
    /// <summary>Units that left their place (0 when the group kept the target's order).</summary>
    public int Moved => Permutation.Where((source, unit) => source != unit).Count();
}

/// <param name="Iterations">Sweeps over all groups, the last one included.</param>
/// <param name="Converged">A whole sweep changed no permutation (else the cap stopped it).</param>
/// <param name="ObjectiveBefore">Σ⟨W_reference, W_target⟩ over the parameters the groups permute, before alignment.</param>
/// <param name="ObjectiveAfter">The same with the target's units aligned.</param>
public sealed record WeightMatchingResult(
    IReadOnlyList<GroupPermutation> Permutations, int Iterations, bool Converged, double ObjectiveBefore, double ObjectiveAfter);

/// <summary>
/// Weight matching (Ainsworth et al., "Git Re-Basin", ICLR 2023, Algorithm 1): for each group in
/// turn, the permutation P of the target's units that maximizes Σ⟨W_reference, P W_target P'ᵀ⟩ over
/// every parameter the group touches, with the other groups' current permutations P' held fixed, is
/// an exact linear assignment on the units' similarity matrix. Sweeps visit the groups in an order
/// drawn from the seed and stop when a whole sweep changes nothing, or at the iteration cap. The
/// objective never decreases: a permutation is only replaced by a strictly better one.
/// </summary>
public static class WeightMatching
{
    public const int DefaultMaxIterations = 100;

    /// <param name="reference">Float state of the model to align to, by state-dictionary name.</param>
    /// <param name="target">Float state of the model whose units are reordered; the same tensors and sizes.</param>
    /// <param name="groupMatched">Called after each group's assignment with the sweep (from 1) and how many groups that sweep has matched.</param>
    /// <exception cref="ArgumentException">A tensor of the spec is missing or has another length in either state, or a value is not finite.</exception>
    public static WeightMatchingResult Match(
        PermutationSpec spec, IReadOnlyDictionary<string, float[]> reference, IReadOnlyDictionary<string, float[]> target,
        long seed, int maxIterations = DefaultMaxIterations, Action<int, int>? groupMatched = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        CheckState(spec, reference, target);

        var groups = spec.Groups;
        var permutations = groups.Select(g => Enumerable.Range(0, g.Size).ToArray()).ToArray();
        // Which groups permute which tensor: the similarity of one group sees the target through all the others.
        var axesOfTensor = groups
            .SelectMany((group, index) => group.Axes.Select(axis => (axis, index)))
            .GroupBy(pair => pair.axis.Tensor, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

        var before = Objective(spec, reference, target);
        var iterations = 0;
        var converged = groups.Count == 0;
        while (!converged && iterations < maxIterations)
        {
            iterations++;
            var changed = false;
            var matched = 0;
            foreach (var g in DeterministicShuffle.Permutation(groups.Count, DeterministicShuffle.DeriveSeed(seed, iterations)))
            {
                var similarity = Similarity(groups[g], g, reference, target, permutations, axesOfTensor);
                var current = 0.0;
                for (var i = 0; i < groups[g].Size; i++) current += similarity[i, permutations[g][i]];
                var best = LinearAssignment.Solve(similarity, maximize: true);
                // Equal totals keep the current order: ties would otherwise flip between sweeps and never converge.
                if (best.Total > current + 1e-12 * Math.Max(1, Math.Abs(current)))
                {
                    permutations[g] = best.ColumnOfRow;
                    changed = true;
                }
                groupMatched?.Invoke(iterations, ++matched);
            }
            converged = !changed;
        }

        var after = Objective(spec, reference, spec.Apply(target, permutations));
        return new WeightMatchingResult(
            groups.Select((group, g) => new GroupPermutation(group.Name, permutations[g])).ToArray(),
            iterations, converged, before, after);
    }

    /// <summary>Σ⟨reference, target⟩ in float64 over the distinct parameters the spec permutes.</summary>
    public static double Objective(PermutationSpec spec, IReadOnlyDictionary<string, float[]> reference, IReadOnlyDictionary<string, float[]> target)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var total = 0.0;
        foreach (var tensor in spec.Groups.SelectMany(g => g.Axes).Where(a => a.IsParameter).Select(a => a.Tensor).Distinct(StringComparer.Ordinal))
        {
            var a = reference[tensor];
            var b = target[tensor];
            var sum = 0.0;
            for (var k = 0; k < a.Length; k++) sum += (double)a[k] * b[k];
            total += sum;
        }
        return total;
    }

    private static void CheckState(PermutationSpec spec, IReadOnlyDictionary<string, float[]> reference, IReadOnlyDictionary<string, float[]> target)
    {
        foreach (var axis in spec.Groups.SelectMany(g => g.Axes))
        {
            var expected = axis.Outer * spec.Groups.First(g => g.Axes.Contains(axis)).Size * axis.Inner;
            foreach (var (state, which) in new[] { (reference, "reference"), (target, "target") })
            {
                if (!state.TryGetValue(axis.Tensor, out var values) || values.Length != expected)
                    throw new ArgumentException($"The {which} state has no '{axis.Tensor}' of {expected} values.");
                if (axis.IsParameter && !values.All(float.IsFinite))
                    throw new ArgumentException($"The {which} state's '{axis.Tensor}' holds NaN or infinite values.");
            }
        }
    }

    /// <summary>S[i, j] = Σ over the group's parameters of ⟨reference unit i, target unit j⟩, the target's other axes in their current order.</summary>
    private static double[,] Similarity(
        PermutationGroup group, int groupIndex, IReadOnlyDictionary<string, float[]> reference, IReadOnlyDictionary<string, float[]> target,
        int[][] permutations, Dictionary<string, (PermutationAxis Axis, int Group)[]> axesOfTensor)
    {
        var n = group.Size;
        var similarity = new double[n, n];
        foreach (var axis in group.Axes.Where(a => a.IsParameter))
        {
            var others = target[axis.Tensor];
            foreach (var (otherAxis, otherGroup) in axesOfTensor[axis.Tensor])
            {
                if (otherGroup != groupIndex) others = PermutationSpec.Permute(others, otherAxis, permutations[otherGroup]);
            }
            var x = UnitRows(reference[axis.Tensor], axis, n);
            var y = UnitRows(others, axis, n);
            var length = x.Length / n;
            for (var i = 0; i < n; i++)
            {
                var row = x.AsSpan(i * length, length);
                for (var j = 0; j < n; j++) similarity[i, j] += Dot(row, y.AsSpan(j * length, length));
            }
        }
        return similarity;
    }

    /// <summary>The values of each unit as one contiguous float64 row: [units, outer·inner].</summary>
    private static double[] UnitRows(float[] values, PermutationAxis axis, int units)
    {
        var inner = (int)axis.Inner;
        var length = (int)(axis.Outer * inner);
        var rows = new double[units * length];
        for (var outer = 0; outer < axis.Outer; outer++)
        {
            for (var unit = 0; unit < units; unit++)
            {
                var source = ((long)outer * units + unit) * inner;
                var destination = unit * length + outer * inner;
                for (var k = 0; k < inner; k++) rows[destination + k] = values[source + k];
            }
        }
        return rows;
    }

    /// <summary>Four fixed lanes, multiply then add (no fused multiply-add): the same sum in the same order on every machine.</summary>
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var lanes = Vector256<double>.Zero;
        var k = 0;
        for (; k + 4 <= a.Length; k += 4)
            lanes += Vector256.Create(a.Slice(k, 4)) * Vector256.Create(b.Slice(k, 4));
        var sum = (lanes.GetElement(0) + lanes.GetElement(1)) + (lanes.GetElement(2) + lanes.GetElement(3));
        for (; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }
}
