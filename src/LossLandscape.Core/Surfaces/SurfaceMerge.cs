namespace LossLandscape.Core.Surfaces;

/// <summary>
/// Combines the files of one surface computed in parts (usually the shards of
/// <see cref="SurfaceShard"/>, from several processes or machines) into one surface. The values are
/// copied, never recomputed, and the merged file has no shard in its metadata, so a complete merge
/// is byte for byte the file one unsharded run writes.
/// </summary>
public static class SurfaceMerge
{
    /// <summary>Reads <paramref name="paths"/> and merges them (see <see cref="Merge(IReadOnlyList{SurfaceResult}, bool)"/>).</summary>
    /// <exception cref="InvalidDataException">A file is not a LossLandscape surface file.</exception>
    /// <exception cref="SurfaceMergeException">The files disagree, overlap, or (unless allowed) leave gaps.</exception>
    public static SurfaceResult Read(IReadOnlyList<string> paths, bool allowGaps = false) =>
        Merge(paths.Select(path => SurfaceStore.Read(path)).ToArray(), allowGaps);

    /// <summary>
    /// One surface from <paramref name="parts"/>: all must have the same settings apart from their
    /// shard, and no point may be computed in two of them.
    /// </summary>
    /// <param name="parts">Surfaces read from files (their <see cref="SurfaceResult.FilePath"/> names them in messages).</param>
    /// <param name="allowGaps">Merge even when some points are in no part; they stay uncomputed (NaN).</param>
    /// <exception cref="ArgumentException">No parts.</exception>
    /// <exception cref="SurfaceMergeException">The parts disagree, overlap, or (unless allowed) leave gaps.</exception>
    public static SurfaceResult Merge(IReadOnlyList<SurfaceResult> parts, bool allowGaps = false)
    {
        if (parts.Count == 0) throw new ArgumentException("Merging needs at least one surface file.", nameof(parts));
        var names = parts.Select((part, i) => part.FilePath ?? $"surface #{i + 1}").ToArray();
        var metadata = parts[0].Metadata with { Shard = null };
        for (var i = 1; i < parts.Count; i++)
        {
            var differences = metadata.Differences(parts[i].Metadata with { Shard = null }, $"in '{names[i]}'", $"in '{names[0]}'");
            if (differences.Count > 0)
            {
                throw new SurfaceMergeException(SurfaceMergeProblem.Disagree, [names[i], names[0]],
                    $"'{names[i]}' is not part of the same surface as '{names[0]}': {string.Join("; ", differences)}.");
            }
        }

        var grid = parts[0].Grid;
        var total = grid.PointCount;
        // Slot k·total + i is point i of direction draw k; a surface of one draw has only draw 0.
        var slots = parts.Select(part => (Computed: part.Members?.Computed ?? part.Computed, Values: part.Members?.Values ?? part.Values)).ToArray();
        var slotCount = slots[0].Computed.Length;
        var owner = Enumerable.Repeat(-1, slotCount).ToArray();
        for (var slot = 0; slot < slotCount; slot++)
        {
            for (var part = 0; part < parts.Count; part++)
            {
                if (!slots[part].Computed[slot]) continue;
                if (owner[slot] >= 0)
                {
                    throw new SurfaceMergeException(SurfaceMergeProblem.Overlap, [names[owner[slot]], names[part]],
                        $"'{names[owner[slot]]}' and '{names[part]}' both hold point {Describe(grid, slot)}; each point must come from one file (were the same shard, or a whole surface, given twice?).");
                }
                owner[slot] = part;
            }
        }

        var missing = owner.Count(o => o < 0);
        if (missing > 0 && !allowGaps)
        {
            var unfinished = parts.Select((part, i) => (part, name: names[i])).Where(p => !p.part.IsComplete)
                .Select(p => $"'{p.name}' ({(p.part.Metadata.Shard is { } shard ? shard + ", " : "")}{OwnComputed(p.part)} of {p.part.OwnPointCount} points)")
                .ToArray();
            throw new SurfaceMergeException(SurfaceMergeProblem.Gap, names,
                $"{missing} of the {slotCount} points are in none of the {parts.Count} file(s), the first {Describe(grid, Array.IndexOf(owner, -1))}."
                + (unfinished.Length > 0 ? $" Unfinished: {string.Join(", ", unfinished)}; rerun those to resume them." : " Is a shard file missing?")
                + " Use -AllowGaps to merge anyway.");
        }

        var values = slots[0].Values.Keys.ToDictionary(key => key, key =>
        {
            var merged = Enumerable.Repeat(SurfaceFile.NotComputedFill, slotCount).ToArray();
            for (var slot = 0; slot < slotCount; slot++)
            {
                if (owner[slot] >= 0) merged[slot] = slots[owner[slot]].Values[key][slot];
            }
            return merged;
        });
        var computed = Array.ConvertAll(owner, o => o >= 0);
        if (parts[0].Members is not { } first) return new SurfaceResult(metadata, grid, values, computed, Elapsed: null, null);

        // Every shard computes every draw's curvature; one that stopped before it holds NaN.
        double[] Curvature(Func<SurfaceMembers, double[]?> along) => Enumerable.Range(0, first.Count)
            .Select(draw => parts.Select(part => along(part.Members!)![draw]).FirstOrDefault(c => !double.IsNaN(c), double.NaN)).ToArray();
        var members = new SurfaceMembers(first.Seeds, values, computed, Curvature(m => m.XCurvature), first.YCurvature is null ? null : Curvature(m => m.YCurvature));
        return new SurfaceResult(metadata, grid, values.ToDictionary(p => p.Key, p => p.Value[..total]), computed[..total], Elapsed: null, null) { Members = members };
    }

    private static int OwnComputed(SurfaceResult part)
    {
        var slots = part.Members?.Computed ?? part.Computed;
        return part.Metadata.Shard is { } shard ? Enumerable.Range(0, slots.Length).Count(slot => slots[slot] && shard.Owns(slot % part.Computed.Length)) : slots.Count(c => c);
    }

    private static string Describe(SurfaceGrid grid, int slot)
    {
        var point = slot % grid.PointCount;
        var draw = slot / grid.PointCount;
        var (alpha, beta) = grid.Coordinates(point);
        return (grid.IsTwoDimensional ? $"{point} at (α, β) = ({alpha:G6}, {beta:G6})" : $"{point} at α = {alpha:G6}") + (draw > 0 ? $" of direction draw {draw}" : "");
    }
}
