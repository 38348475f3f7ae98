using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Clusters;

/// <summary>The schedulers a surface job can be submitted to.</summary>
public enum JobScheduler
{
    Slurm,
}

/// <summary>
/// spec.json of a surface job folder: the surface, how its shards run, the resources each asks the
/// scheduler for, and the command a task starts. Every task and the merge read it; nothing of it is
/// ever written into script text, so no value in it can become code.
/// </summary>
public sealed record SurfaceJobSpec
{
    public const string FormatName = "LossLandscape.SurfaceJob";
    public const string FileName = "spec.json";
    public const string ManifestFileName = "job.json";
    public const string DirectionFileName = "directions.h5";
    public const string ShardBatchScriptName = "shard.sbatch";
    public const string MergeBatchScriptName = "merge.sbatch";
    public const string LogFolderName = "logs";

    /// <summary>A spec holds a grid of at most 10,001 × 10,001 coordinates and a few paths: far below this.</summary>
    public const long MaxFileBytes = 16 << 20;

    public string Format { get; init; } = FormatName;

    public int FormatVersion { get; init; } = 1;

    /// <summary>The whole surface; each task computes its shard of it.</summary>
    public required SurfaceSpec Surface { get; init; }

    public required int ShardCount { get; init; }

    /// <summary>The merged surface file.</summary>
    public required string OutFile { get; init; }

    /// <summary>How each task computes (device, points at once, threads per point).</summary>
    public required RunOptions Run { get; init; }

    public required SlurmResources Resources { get; init; }

    /// <summary>
    /// The program and arguments a task starts, given to sbatch as the batch script's arguments; the
    /// script appends the task (a shard index, or "merge").
    /// </summary>
    public required IReadOnlyList<string> Runner { get; init; }

    public static string PathIn(string jobFolder) => Path.Combine(jobFolder, FileName);

    public static string ShardFile(string jobFolder, int index) => Path.Combine(jobFolder, $"shard-{index}.h5");

    public static IReadOnlyList<string> ShardFiles(string jobFolder, int shardCount) => Enumerable.Range(0, shardCount).Select(k => ShardFile(jobFolder, k)).ToArray();

    /// <summary>The surface of shard <paramref name="index"/>.</summary>
    public SurfaceSpec ShardSurface(int index) => Surface with { Shard = new SurfaceShard(index, ShardCount) };

    /// <exception cref="SpecException">The surface, the run options or the resources are invalid.</exception>
    public void Validate()
    {
        if (ShardCount < 1) throw new SpecException(SpecProblem.Shard, $"A job needs at least one shard (got {ShardCount}).");
        (Surface with { Shard = new SurfaceShard(0, ShardCount) }).Validate();
        Run.Validate();
        Resources.Validate();
        if (Runner.Count == 0) throw new SpecException(SpecProblem.JobArgument, "A job needs the command its tasks run.");
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, CheckpointStore.JsonOptions);

    /// <summary>Writes spec.json into the job folder (aside, then renamed).</summary>
    public void Write(string jobFolder) => AtomicFile.WriteAllBytes(PathIn(jobFolder), ToJson());

    /// <exception cref="FileNotFoundException">The folder holds no job spec.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid job spec.</exception>
    public static SurfaceJobSpec Read(string jobFolder)
    {
        var path = PathIn(jobFolder);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{jobFolder}' holds no surface job: {FileName} is missing (a surface job writes it when it starts).", path);
        SurfaceJobSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<SurfaceJobSpec>(RegularFile.ReadAllBytes(path, "surface job spec", MaxFileBytes), CheckpointStore.JsonOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a surface job spec: {e.Message}", e);
        }
        if (spec is null || spec.Format != FormatName) throw new InvalidDataException($"'{path}' is not a surface job spec of format {FormatName}.");
        try
        {
            spec.Validate();
        }
        catch (SpecException e)
        {
            throw new InvalidDataException($"'{path}' holds an invalid surface job: {e.Message}", e);
        }
        return spec;
    }
}

/// <summary>What each task of a surface job asks Slurm for; given to sbatch as options on its command line.</summary>
public sealed record SlurmResources
{
    public string JobName { get; init; } = "losslandscape";

    public string? Partition { get; init; }

    public int CpusPerTask { get; init; } = 1;

    /// <summary>Slurm's time limit syntax (minutes, MM:SS, HH:MM:SS, D-HH:MM…).</summary>
    public string? TimeLimit { get; init; }

    /// <summary>GPUs per array task (--gres=gpu:N); Slurm sets CUDA_VISIBLE_DEVICES, so cuda:0 is the assigned GPU.</summary>
    public int? Gpus { get; init; }

    /// <summary>More sbatch options for the shard and merge submissions, e.g. --mem=8G.</summary>
    public IReadOnlyList<string> ExtraSbatchArguments { get; init; } = [];

    /// <summary>
    /// Refuses line breaks and NULs, which no Slurm option value holds: they mark a value that came
    /// from somewhere it should not have. Every value reaches sbatch as one argument of its own.
    /// </summary>
    /// <exception cref="SpecException">A value is empty, holds a line break or NUL, or an extra argument is not an option.</exception>
    public void Validate()
    {
        Check("-JobName", JobName);
        if (Partition is not null) Check("-Partition", Partition);
        if (TimeLimit is not null) Check("-TimeLimit", TimeLimit);
        foreach (var argument in ExtraSbatchArguments)
        {
            Check("-SbatchArgument", argument);
            if (!argument.StartsWith('-'))
                throw new SpecException(SpecProblem.JobArgument, $"-SbatchArgument '{argument}' is not an sbatch option (options start with '-'): sbatch would take it for the batch script.") { Value = argument };
        }
        if (CpusPerTask < 1) throw new SpecException(SpecProblem.JobArgument, $"-CpusPerTask must be at least 1 (got {CpusPerTask}).");
        if (Gpus < 1) throw new SpecException(SpecProblem.JobArgument, $"-Gpus must be at least 1 (got {Gpus}).");
    }

    private static void Check(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new SpecException(SpecProblem.JobArgument, $"{name} is empty.") { Value = value };
        var bad = value.IndexOfAny(['\n', '\r', '\0']);
        if (bad >= 0)
            throw new SpecException(SpecProblem.JobArgument, $"{name} holds a {(value[bad] == '\0' ? "NUL" : "line break")} at character {bad + 1}; Slurm option values are one line.") { Value = value };
    }
}
