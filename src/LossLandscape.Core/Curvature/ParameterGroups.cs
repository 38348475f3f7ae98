namespace LossLandscape.Core.Curvature;

/// <summary>How -GroupBy splits the Hessian's parameters for per-group traces.</summary>
public enum HessianGrouping
{
    /// <summary>One group per module owning parameters (the name without its last part: <c>layer1.0.conv1</c>).</summary>
    Layer,

    /// <summary>
    /// One group per residual block: the name up to its first numeric part (<c>layer1.0</c>), the
    /// layer for names without one (<c>conv1</c>, <c>linear</c>).
    /// </summary>
    Block,
}

/// <summary>A group of consecutive entries of the Hessian operator's vectors.</summary>
public sealed record ParameterGroup(string Name, int Offset, int Length);

/// <summary>A group's share of the Hutchinson trace: the mean over the probes of z_gᵀ(Hz)_g.</summary>
public sealed record GroupTrace(string Group, int Dimension, TraceEstimate Trace);

public static class ParameterGroups
{
    /// <summary>The groups of the operator's parameters, in their vector order; a group's parameters are consecutive in named_parameters().</summary>
    /// <param name="names">The operator's parameters in vector order.</param>
    /// <param name="lengths">Their element counts.</param>
    public static IReadOnlyList<ParameterGroup> Of(IReadOnlyList<string> names, IReadOnlyList<long> lengths, HessianGrouping by)
    {
        if (names.Count != lengths.Count) throw new ArgumentException("Every parameter needs its length.", nameof(lengths));
        var groups = new List<ParameterGroup>();
        var offset = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var key = Key(names[i], by);
            var length = checked((int)lengths[i]);
            if (groups.Count > 0 && groups[^1].Name == key) groups[^1] = groups[^1] with { Length = groups[^1].Length + length };
            else groups.Add(new ParameterGroup(key, offset, length));
            offset += length;
        }
        return groups;
    }

    private static string Key(string name, HessianGrouping by)
    {
        var parts = name.Split('.');
        if (parts.Length == 1) return name;
        var layer = parts[..^1];
        if (by == HessianGrouping.Block)
        {
            var numeric = Array.FindIndex(layer, p => p.Length > 0 && p.All(char.IsAsciiDigit));
            if (numeric >= 0) return string.Join('.', layer[..(numeric + 1)]);
        }
        return string.Join('.', layer);
    }
}
