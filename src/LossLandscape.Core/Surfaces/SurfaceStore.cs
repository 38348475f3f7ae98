using LossLandscape.Core.Data;

namespace LossLandscape.Core.Surfaces;

/// <summary>
/// A <see cref="SurfaceResult"/> as an HDF5 surface file: the paper code's datasets plus our
/// metadata (attribute <see cref="MetadataAttribute"/>) and the <c>computed</c> mask.
/// </summary>
public static class SurfaceStore
{
    public const string MetadataAttribute = "losslandscape_metadata";

    public static void Write(string path, SurfaceResult result)
    {
        SurfaceFile.Write(path, new SurfaceFileContent(
            result.Grid.X,
            result.Grid.Y,
            result.Values,
            result.Computed,
            DirectionFile: "",
            new Dictionary<string, string> { [MetadataAttribute] = result.Metadata.ToJson() })
        {
            Members = result.Members,
        });
    }

    /// <param name="allowForeign">Accept files without our metadata (e.g. the paper code's), describing them as well as the file allows.</param>
    /// <exception cref="InvalidDataException">Malformed, or (unless allowed) not written by LossLandscape.</exception>
    public static SurfaceResult Read(string path, bool allowForeign = false)
    {
        SurfaceMetadata? ours = null;
        var content = SurfaceFile.Read(path, attributes =>
        {
            if (!attributes.TryGetValue(MetadataAttribute, out var json)) return null;
            ours = SurfaceMetadata.FromJson(json);
            if (ours.X is null || ours.X.Length == 0 || ours.Y is { Length: 0 })
                throw new InvalidDataException($"'{path}': its metadata describes no grid.");
            return (ours.X.Length, ours.Y?.Length);
        });
        SurfaceMetadata metadata;
        if (ours is not null)
        {
            metadata = ours;
            if (!metadata.X.SequenceEqual(content.X) || !(metadata.Y ?? []).SequenceEqual(content.Y ?? []))
                throw new InvalidDataException($"'{path}': the coordinates in the file differ from those its metadata records.");
            RequireMembers(path, metadata, content);
        }
        else if (allowForeign)
        {
            metadata = ForeignMetadata(content);
            content = content with { Values = WithEigenvalueRatio(content) };
        }
        else
        {
            throw new InvalidDataException($"'{path}' is an HDF5 surface file without LossLandscape metadata (written by other software); it cannot be resumed.");
        }
        return new SurfaceResult(metadata, new SurfaceGrid(content.X, content.Y), content.Values, content.Computed, Elapsed: null, Path.GetFullPath(path)) { Members = content.Members };
    }

    /// <summary>The draws in the file are those its metadata records, and draw 0 is the surface's own grids.</summary>
    private static void RequireMembers(string path, SurfaceMetadata metadata, SurfaceFileContent content)
    {
        var count = metadata.DirectionCount ?? 1;
        if ((content.Members?.Count ?? 1) != count)
            throw new InvalidDataException($"'{path}' holds {content.Members?.Count ?? 1} direction draw(s) but its metadata records {count}.");
        if (content.Members is not { } members) return;
        var seed = metadata.Directions.Count > 0 ? metadata.Directions[0].Recipe.Seed : 0;
        if (!members.Seeds.SequenceEqual(Enumerable.Range(0, count).Select(k => seed + k)))
            throw new InvalidDataException($"'{path}': the draws' seeds ({string.Join(", ", members.Seeds)}) are not the seeds {seed} + k its metadata records.");
        var cells = content.CellCount;
        var firstDrawAgrees = content.Computed.AsSpan().SequenceEqual(members.Computed.AsSpan(0, cells))
            && content.Values.Keys.Order().SequenceEqual(members.Values.Keys.Order())
            && content.Values.All(v => SameBits(v.Value, members.Values[v.Key].AsSpan(0, cells)));
        if (!firstDrawAgrees)
            throw new InvalidDataException($"'{path}': its top-level grids differ from draw 0 of its members.");
    }

    private static bool SameBits(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(b[i])) return false;
        }
        return a.Length == b.Length;
    }

    /// <summary>The <see cref="SurfaceMetadata.Metric"/> of a foreign Hessian-eigenvalue file (the paper's <c>plot_hessian_eig.py</c>).</summary>
    public const string PaperHessianMetric = "PaperHessian(summed over batches: only |λmin/λmax| is comparable)";

    private static bool IsHessianFile(SurfaceFileContent content) =>
        content.Values.ContainsKey(SurfaceFile.MaxEigenvalueName) && !content.Values.ContainsKey(SurfaceFile.TrainLossName);

    /// <summary>The values plus |λmin/λmax| where the file has both eigenvalues but no ratio: NaN where not computed or λmax is 0.</summary>
    private static IReadOnlyDictionary<string, double[]> WithEigenvalueRatio(SurfaceFileContent content)
    {
        if (content.Values.ContainsKey(SurfaceFile.EigenvalueRatioName)
            || !content.Values.TryGetValue(SurfaceFile.MaxEigenvalueName, out var largest)
            || !content.Values.TryGetValue(SurfaceFile.MinEigenvalueName, out var smallest))
        {
            return content.Values;
        }
        var ratio = new double[largest.Length];
        for (var i = 0; i < ratio.Length; i++)
        {
            ratio[i] = content.Computed[i] && largest[i] != 0 ? Math.Abs(smallest[i] / largest[i]) : double.NaN;
        }
        return new Dictionary<string, double[]>(content.Values) { [SurfaceFile.EigenvalueRatioName] = ratio };
    }

    private static SurfaceMetadata ForeignMetadata(SurfaceFileContent content) => new()
    {
        Metric = IsHessianFile(content) ? PaperHessianMetric : LossMetric.MetricName,
        CheckpointSha256 = "",
        Architecture = "unknown",
        Directions = [],
        X = content.X,
        Y = content.Y,
        Data = new[] { ("train", DatasetSplit.Train), ("test", DatasetSplit.Test) }
            .Where(split => content.Values.ContainsKey(SurfaceResult.LossKey(split.Item1)))
            .Select(split => new SurfaceDataInfo(new DatasetReference("unknown", split.Item2), 0))
            .ToArray(),
    };
}
