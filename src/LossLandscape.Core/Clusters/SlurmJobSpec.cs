namespace LossLandscape.Core.Clusters;

/// <summary>
/// What one sharded surface job on Slurm runs: where its files go, the shell that runs each shard,
/// the checkpoint and the Get-LossSurface parameters, and the resources each array task asks for.
/// </summary>
public sealed record SlurmJobSpec
{
    public const string ManifestFileName = "job.json";
    public const string DirectionFileName = "directions.h5";

    /// <summary>Absolute folder that holds the scripts, the direction file, the shard files, the logs and the manifest.</summary>
    public required string JobFolder { get; init; }

    public required int ShardCount { get; init; }

    /// <summary>The grid's point count, for progress.</summary>
    public required int PointCount { get; init; }

    /// <summary>The merged surface file.</summary>
    public required string OutFile { get; init; }

    /// <summary>The built LossLandscape shell: its executable, or dotnet followed by losslandscape.dll.</summary>
    public required IReadOnlyList<string> ShellCommand { get; init; }

    /// <summary>The module folder the shell imports (-Module), so the tasks run the module that submitted them.</summary>
    public required string ModulePath { get; init; }

    public required string CheckpointPath { get; init; }

    /// <summary>-Architecture for Import-Checkpoint when the file does not name it (PyTorch and safetensors files).</summary>
    public string? CheckpointArchitecture { get; init; }

    /// <summary>Get-LossSurface parameters as (name, value): strings, numbers, enums, double arrays, or true for a switch.</summary>
    public required IReadOnlyList<KeyValuePair<string, object>> SurfaceParameters { get; init; }

    public string JobName { get; init; } = "losslandscape";

    public string? Partition { get; init; }

    public int CpusPerTask { get; init; } = 1;

    /// <summary>Slurm's time limit syntax (minutes, MM:SS, HH:MM:SS, D-HH:MM…).</summary>
    public string? TimeLimit { get; init; }

    /// <summary>GPUs per array task (--gres=gpu:N); Slurm sets CUDA_VISIBLE_DEVICES, so cuda:0 is the assigned GPU.</summary>
    public int? Gpus { get; init; }

    /// <summary>More sbatch options, written as #SBATCH lines of both scripts.</summary>
    public IReadOnlyList<string> ExtraSbatchArguments { get; init; } = [];

    public string DirectionFile => Path.Combine(JobFolder, DirectionFileName);

    public string ManifestFile => Path.Combine(JobFolder, ManifestFileName);

    public string LogFolder => Path.Combine(JobFolder, "logs");

    public string ShardScript => Path.Combine(JobFolder, "shard.ps1");

    public string ShardBatchScript => Path.Combine(JobFolder, "shard.sbatch");

    public string MergeScript => Path.Combine(JobFolder, "merge.ps1");

    public string MergeBatchScript => Path.Combine(JobFolder, "merge.sbatch");

    public string ShardFile(int index) => Path.Combine(JobFolder, $"shard-{index}.h5");

    public IReadOnlyList<string> ShardFiles => Enumerable.Range(0, ShardCount).Select(ShardFile).ToArray();
}

/// <summary>The schedulers Start-LossSurfaceJob can submit to.</summary>
public enum JobScheduler
{
    Slurm,
}
