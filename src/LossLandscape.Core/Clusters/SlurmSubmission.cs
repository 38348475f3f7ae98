using System.Globalization;
using System.Text;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Clusters;

/// <summary>
/// The sbatch command lines of a surface job and the two batch scripts they submit. The scripts are
/// the same bytes for every job: each job's options, folder and task command reach sbatch as
/// arguments, so no value of a job ever becomes script text.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>
    /// The array task's script. sbatch runs it in the job folder (--chdir) with the task command as its
    /// arguments; it appends the task's shard index.
    /// </summary>
    public const string ShardBatchScript = """
        #!/bin/bash
        # A LossLandscape surface job's array task; the same file for every job. sbatch was given the job's
        # options and folder on its command line, and the task command as this script's arguments.
        set -eu
        # Threads follow the task's allocation, not the node's core count.
        export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}" MKL_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
        echo "[$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)] shard ${SLURM_ARRAY_TASK_ID}: job ${SLURM_JOB_ID:-none} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, ${SLURM_CPUS_PER_TASK:-1} CPU(s), GPUs ${CUDA_VISIBLE_DEVICES:-none}" >&2
        exec "$@" "${SLURM_ARRAY_TASK_ID}"

        """;

    /// <summary>The merge job's script: runs the task command for the merge.</summary>
    public const string MergeBatchScript = """
        #!/bin/bash
        # A LossLandscape surface job's merge; the same file for every job. sbatch was given the job's
        # options and folder on its command line, and the task command as this script's arguments.
        set -eu
        echo "[$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)] merge: job ${SLURM_JOB_ID:-none} on $(hostname)" >&2
        exec "$@" merge

        """;

    /// <summary>The sbatch arguments (after --parsable) that submit <paramref name="shards"/> as array tasks.</summary>
    public static IReadOnlyList<string> ShardArguments(string jobFolder, SurfaceJobSpec spec, IReadOnlyList<int> shards) =>
    [
        .. SharedOptions(jobFolder, spec, "shard", "shard-%a.log"),
        "--requeue",
        "--cpus-per-task=" + spec.Resources.CpusPerTask.ToString(CultureInfo.InvariantCulture),
        .. spec.Resources.Gpus is { } gpus ? ["--gres=gpu:" + gpus.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
        .. spec.Resources.ExtraSbatchArguments,
        "--array=" + string.Join(',', shards.Select(k => k.ToString(CultureInfo.InvariantCulture))),
        Path.Combine(jobFolder, SurfaceJobSpec.ShardBatchScriptName),
        .. spec.Runner,
    ];

    /// <summary>The sbatch arguments that submit the merge, after the jobs or tasks in <paramref name="afterOk"/> succeeded.</summary>
    public static IReadOnlyList<string> MergeArguments(string jobFolder, SurfaceJobSpec spec, IReadOnlyList<string> afterOk) =>
    [
        .. SharedOptions(jobFolder, spec, "merge", "merge.log"),
        "--cpus-per-task=1",
        .. spec.Resources.ExtraSbatchArguments,
        .. afterOk.Count > 0 ? ["--dependency=afterok:" + string.Join(':', afterOk)] : Array.Empty<string>(),
        Path.Combine(jobFolder, SurfaceJobSpec.MergeBatchScriptName),
        .. spec.Runner,
    ];

    /// <summary>Writes the two fixed scripts and the logs folder into a job folder.</summary>
    public static void WriteScripts(string jobFolder)
    {
        Directory.CreateDirectory(Path.Combine(jobFolder, SurfaceJobSpec.LogFolderName));
        AtomicFile.WriteAllBytes(Path.Combine(jobFolder, SurfaceJobSpec.ShardBatchScriptName), Encoding.UTF8.GetBytes(ShardBatchScript));
        AtomicFile.WriteAllBytes(Path.Combine(jobFolder, SurfaceJobSpec.MergeBatchScriptName), Encoding.UTF8.GetBytes(MergeBatchScript));
    }

    // The log paths are relative to --chdir: sbatch expands %-patterns in --output, and a job folder's own name may hold a '%'.
    private static IEnumerable<string> SharedOptions(string jobFolder, SurfaceJobSpec spec, string role, string log)
    {
        yield return $"--job-name={spec.Resources.JobName}-{role}";
        yield return "--chdir=" + jobFolder;
        yield return $"--output={SurfaceJobSpec.LogFolderName}/{log}";
        yield return "--open-mode=append";
        if (spec.Resources.Partition is { } partition) yield return "--partition=" + partition;
        if (spec.Resources.TimeLimit is { } time) yield return "--time=" + time;
    }
}
