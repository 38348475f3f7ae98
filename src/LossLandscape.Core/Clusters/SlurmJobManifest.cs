using LossLandscape.Core.Common;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LossLandscape.Core.Clusters;

/// <summary>One sbatch submission of array tasks: its job id and the shard indices it ran.</summary>
public sealed record SlurmArraySubmission(string JobId, IReadOnlyList<int> Tasks);

/// <summary>
/// job.json beside the shard files: everything Get-, Wait- and Resume-LossSurfaceJob need, so they
/// work from the folder alone (another session, another login node). Written aside and renamed.
/// </summary>
public sealed record SlurmJobManifest
{
    public const string FormatName = "LossLandscape.SlurmJob";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = 1;

    public required int ShardCount { get; init; }

    public required int PointCount { get; init; }

    /// <summary>The direction draws each shard computes its points in (-DirectionCount); null for one.</summary>
    public int? DirectionCount { get; init; }

    public required IReadOnlyList<string> ShardFiles { get; init; }

    public required string OutFile { get; init; }

    public required string ShardBatchScript { get; init; }

    public required string MergeBatchScript { get; init; }

    /// <summary>Every submission of array tasks, the first one first.</summary>
    public required IReadOnlyList<SlurmArraySubmission> Arrays { get; init; }

    /// <summary>The current merge job (earlier ones were cancelled by a resubmission).</summary>
    public required string MergeJobId { get; init; }

    public static SlurmJobManifest For(string jobFolder, SurfaceJobSpec spec, string arrayJobId, string mergeJobId) => new()
    {
        ShardCount = spec.ShardCount,
        PointCount = spec.Surface.Grid.PointCount,
        DirectionCount = spec.Surface.DirectionCount > 1 ? spec.Surface.DirectionCount : null,
        ShardFiles = SurfaceJobSpec.ShardFiles(jobFolder, spec.ShardCount),
        OutFile = spec.OutFile,
        ShardBatchScript = Path.Combine(jobFolder, SurfaceJobSpec.ShardBatchScriptName),
        MergeBatchScript = Path.Combine(jobFolder, SurfaceJobSpec.MergeBatchScriptName),
        Arrays = [new SlurmArraySubmission(arrayJobId, Enumerable.Range(0, spec.ShardCount).ToArray())],
        MergeJobId = mergeJobId,
    };

    /// <summary>The manifest file of a job folder.</summary>
    public static string PathIn(string jobFolder) => Path.Combine(jobFolder, SurfaceJobSpec.ManifestFileName);

    /// <exception cref="FileNotFoundException">The folder holds no job.</exception>
    /// <exception cref="InvalidDataException">The file is not a job manifest.</exception>
    public static SlurmJobManifest Read(string jobFolder)
    {
        var path = PathIn(jobFolder);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{jobFolder}' holds no surface job: {SurfaceJobSpec.ManifestFileName} is missing (a surface job writes it when it is submitted).", path);
        SlurmJobManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<SlurmJobManifest>(RegularFile.ReadAllBytes(path, "surface job manifest", SurfaceJobSpec.MaxFileBytes), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a surface job manifest: {e.Message}", e);
        }
        if (manifest is null || manifest.Format != FormatName || manifest.ShardFiles.Count != manifest.ShardCount || manifest.Arrays.Count == 0 || manifest.DirectionCount < 2)
            throw new InvalidDataException($"'{path}' is not a surface job manifest of format {FormatName}.");
        return manifest;
    }

    public void Write(string jobFolder) => AtomicFile.WriteAllBytes(PathIn(jobFolder), JsonSerializer.SerializeToUtf8Bytes(this, Options));

    /// <summary>The array task of shard <paramref name="shard"/> in its latest submission, as Slurm names it (arrayId_task).</summary>
    public string? LatestTaskOf(int shard) =>
        Arrays.LastOrDefault(a => a.Tasks.Contains(shard)) is { } submission ? $"{submission.JobId}_{shard}" : null;
}
