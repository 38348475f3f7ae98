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
        var owner = Enumerable.Repeat(-1, total).ToArray();
        for (var point = 0; point < total; point++)
        {
            for (var part = 0; part < parts.Count; part++)
            {
                if (!parts[part].Computed[point]) continue;
                if (owner[point] >= 0)
                {
                    throw new SurfaceMergeException(SurfaceMergeProblem.Overlap, [names[owner[point]], names[part]],
                        $"'{names[owner[point]]}' and '{names[part]}' both hold point {Describe(grid, point)}; each point must come from one file (were the same shard, or a whole surface, given twice?).");
                }
                owner[point] = part;
            }
        }

        var missing = owner.Count(o => o < 0);
        if (missing > 0 && !allowGaps)
        {
            var unfinished = parts.Select((part, i) => (part, name: names[i])).Where(p => !p.part.IsComplete)
                .Select(p => $"'{p.name}' ({(p.part.Metadata.Shard is { } shard ? shard + ", " : "")}{OwnComputed(p.part)} of {p.part.OwnPointCount} points)")
                .ToArray();
            throw new SurfaceMergeException(SurfaceMergeProblem.Gap, names,
                $"{missing} of the {total} points are in none of the {parts.Count} file(s), the first {Describe(grid, Array.IndexOf(owner, -1))}."
                + (unfinished.Length > 0 ? $" Unfinished: {string.Join(", ", unfinished)}; rerun those to resume them." : " Is a shard file missing?")
                + " Use -AllowGaps to merge anyway.");
        }

        var values = parts[0].Values.Keys.ToDictionary(key => key, key =>
        {
            var merged = Enumerable.Repeat(SurfaceFile.NotComputedFill, total).ToArray();
            for (var point = 0; point < total; point++)
            {
                if (owner[point] >= 0) merged[point] = parts[owner[point]].Values[key][point];
            }
            return merged;
        });
        var computed = Array.ConvertAll(owner, o => o >= 0);
        return new SurfaceResult(metadata, grid, values, computed, Elapsed: null, null);
    }

    private static int OwnComputed(SurfaceResult part) =>
        part.Metadata.Shard is { } shard ? shard.Points(part.Computed.Length).Count(i => part.Computed[i]) : part.ComputedCount;

    private static string Describe(SurfaceGrid grid, int point)
    {
        var (alpha, beta) = grid.Coordinates(point);
        return grid.IsTwoDimensional ? $"{point} at (α, β) = ({alpha:G6}, {beta:G6})" : $"{point} at α = {alpha:G6}";
    }
}
