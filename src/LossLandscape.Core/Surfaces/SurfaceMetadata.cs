using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Surfaces;

/// <summary>One direction of a surface, as recorded: its recipe and identity.</summary>
public sealed record SurfaceDirectionInfo(DirectionRecipe Recipe, string Sha256, double Norm)
{
    /// <summary>What a user reads where a list of directions is printed, instead of the record's member dump.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Recipe} (‖d‖ = {Norm:G4}, SHA-256 {Sha256[..Math.Min(12, Sha256.Length)]})");
}

/// <summary>One data set a surface is evaluated on, with the sample count actually used.</summary>
public sealed record SurfaceDataInfo(DatasetReference Dataset, int SampleCount)
{
    /// <summary>Prefix of this split's dataset names in the file: "train" or "test", as the paper's code names them.</summary>
    public string Prefix => Dataset.Split == DatasetSplit.Test ? "test" : "train";
}

/// <summary>
/// Everything that determines a surface's values. A partial file or journal is resumed only when
/// its metadata equals the request's; otherwise the differences are listed. Holds no timestamps.
/// </summary>
public sealed record SurfaceMetadata
{
    public const string FormatName = "LossLandscape.Surface";

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = 1;

    public required string CheckpointSha256 { get; init; }

    public required string Architecture { get; init; }

    public int? CheckpointEpoch { get; init; }

    /// <summary>The optimizer step of a checkpoint from a step-based run; not written otherwise, so earlier files keep their bytes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? CheckpointStep { get; init; }

    public required IReadOnlyList<SurfaceDirectionInfo> Directions { get; init; }

    /// <summary>
    /// How many direction draws (-DirectionCount) the surface holds, draw k along the random directions
    /// of seed Seed + k; null for one, so such a file is the same bytes it always was.
    /// </summary>
    public int? DirectionCount { get; init; }

    public required double[] X { get; init; }

    public double[]? Y { get; init; }

    /// <summary>
    /// Set when the values lie along a curve between minima over t = <see cref="X"/> (<see cref="Connectivity.CurveEvaluation"/>):
    /// the point at t is (Along(t), Bend(t)) along the two <see cref="Directions"/>, not a grid point.
    /// </summary>
    public Connectivity.CurveKind? Curve { get; init; }

    public required IReadOnlyList<SurfaceDataInfo> Data { get; init; }

    public LossFunction LossFunction { get; init; } = LossFunction.CrossEntropy;

    /// <summary>What each point holds (see <see cref="IPointMetric.Name"/>).</summary>
    public string Metric { get; init; } = LossMetric.MetricName;

    /// <summary>Left out of the JSON when <see cref="BatchNormStatistics.Running"/>, so files written when it was named "Eval" compare equal.</summary>
    [JsonConverter(typeof(BatchNormStatisticsJsonConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BatchNormStatistics BatchNormStatistics { get; init; } = BatchNormStatistics.Running;

    /// <summary>With <see cref="BatchNormStatistics.Reset"/>: the training batches recomputed from (null: all).</summary>
    public int? BatchNormResetBatches { get; init; }

    /// <summary>BatchNorm folded into the convolutions for evaluation: values differ from the unfolded ones in the last bits.</summary>
    public bool BatchNormFolded { get; init; }

    public int BatchSize { get; init; } = Evaluation.DefaultBatchSize;

    /// <summary>
    /// Intra-op threads per point, as recorded when the file was written: a run option, not part of the
    /// surface's identity (shards and resumed runs may use others), though a different count may change
    /// the last bits of the values.
    /// </summary>
    public int ThreadsPerPoint { get; init; } = 1;

    /// <summary>Recorded, but compared by neither resumes nor merges (see <see cref="ThreadsPerPoint"/>).</summary>
    private static readonly string[] RunOptionKeys = ["threadsPerPoint"];

    /// <summary>
    /// The share of the grid this file computes, or null for the whole grid. A merged surface has
    /// none, so its metadata (and file) equals that of a single run.
    /// </summary>
    public SurfaceShard? Shard { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, CheckpointStore.JsonOptions);

    /// <exception cref="InvalidDataException">Not surface metadata, or holding invalid values (e.g. a shard index beyond its count).</exception>
    public static SurfaceMetadata FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SurfaceMetadata>(json, CheckpointStore.JsonOptions)
                ?? throw new InvalidDataException("Empty surface metadata.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"Invalid surface metadata: {e.Message}", e);
        }
    }

    /// <summary>The top-level settings that differ between two metadata records (empty when equal); run options are not compared.</summary>
    /// <param name="otherLabel">How the messages name where <paramref name="other"/> comes from.</param>
    /// <param name="mineLabel">How the messages name where this record comes from.</param>
    public IReadOnlyList<string> Differences(SurfaceMetadata other, string otherLabel = "in the file", string mineLabel = "requested")
    {
        var mine = JsonNode.Parse(ToJson())!.AsObject();
        var theirs = JsonNode.Parse(other.ToJson())!.AsObject();
        return mine.Select(p => p.Key).Union(theirs.Select(p => p.Key))
            .Except(RunOptionKeys)
            .Where(key => !JsonNode.DeepEquals(mine[key], theirs[key]))
            .Select(key => $"{key}: {Describe(theirs[key])} {otherLabel}, {Describe(mine[key])} {mineLabel}")
            .ToArray();
    }

    private static string Describe(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "none";
        return text.Length > 120 ? text[..117] + "..." : text;
    }
}
