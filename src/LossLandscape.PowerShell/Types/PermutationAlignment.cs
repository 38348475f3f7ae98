using LossLandscape.Core.Alignment;

namespace LossLandscape.PowerShell.Types;

/// <summary>One permutation group of an alignment: how many of its units moved.</summary>
public sealed class PermutationGroupSummary
{
    internal PermutationGroupSummary(GroupPermutation permutation)
    {
        Group = permutation.Group;
        Size = permutation.Permutation.Length;
        Moved = permutation.Moved;
        Permutation = permutation.Permutation;
    }

    /// <summary>The layer or residual stage whose outputs the units are (layers.0, conv2, layer2, layer1.0.conv1).</summary>
    public string Group { get; }

    public int Size { get; }

    /// <summary>Units that left their place.</summary>
    public int Moved { get; }

    /// <summary>Aligned unit i is the target's unit Permutation[i].</summary>
    public int[] Permutation { get; }

    public override string ToString() => $"{Group}: {Moved} of {Size} moved";
}

/// <summary>
/// The target's hidden units permuted to match the reference (weight matching, Git Re-Basin): the
/// permutations, how the search ended, and the aligned checkpoint when one was written.
/// </summary>
public sealed class PermutationAlignment
{
    internal PermutationAlignment(Checkpoint reference, Checkpoint target, Checkpoint? aligned, WeightMatchingResult matching, long seed)
    {
        Reference = reference;
        Target = target;
        Checkpoint = aligned;
        Groups = matching.Permutations.Select(p => new PermutationGroupSummary(p)).ToArray();
        UnitsMoved = Groups.Sum(g => g.Moved);
        UnitCount = Groups.Sum(g => g.Size);
        Iterations = matching.Iterations;
        Converged = matching.Converged;
        ObjectiveBefore = matching.ObjectiveBefore;
        ObjectiveAfter = matching.ObjectiveAfter;
        Seed = seed;
    }

    public Checkpoint Reference { get; }

    /// <summary>The checkpoint whose units were permuted (it is not changed).</summary>
    public Checkpoint Target { get; }

    /// <summary>The aligned target as a checkpoint in our format (with -OutFile; otherwise null).</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>The aligned checkpoint's state file (binds to -Path of Import-Checkpoint); null without -OutFile.</summary>
    public string? Path => Checkpoint?.Path;

    public PermutationGroupSummary[] Groups { get; }

    public int UnitsMoved { get; }

    public int UnitCount { get; }

    /// <summary>Sweeps over all groups, the last one (which changed nothing, when converged) included.</summary>
    public int Iterations { get; }

    /// <summary>A whole sweep changed no permutation; false when -MaxIterations stopped the search.</summary>
    public bool Converged { get; }

    /// <summary>Σ⟨W_reference, W_target⟩ over the permuted parameters before alignment.</summary>
    public double ObjectiveBefore { get; }

    /// <summary>The same inner product with the target aligned; never below <see cref="ObjectiveBefore"/>.</summary>
    public double ObjectiveAfter { get; }

    public long Seed { get; }

    public override string ToString() =>
        $"{Target.Name} aligned to {Reference.Name}: {UnitsMoved} of {UnitCount} units moved, objective {ObjectiveBefore:G5} → {ObjectiveAfter:G5}"
        + (Converged ? $" ({Iterations} sweeps)" : $" (not converged after {Iterations} sweeps)");
}
