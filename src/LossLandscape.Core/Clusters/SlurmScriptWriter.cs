using System.Globalization;
using System.Text;

namespace LossLandscape.Core.Clusters;

/// <summary>
/// The text of a Slurm surface job's four scripts: the array task's batch script and the PowerShell
/// it runs through the built shell (one shard into its own file), and the merge job's pair.
/// </summary>
public static class SlurmScriptWriter
{
    /// <summary>The PowerShell one array task runs: Get-LossSurface of its shard, with -OutFile its shard file so a requeued task resumes.</summary>
    public static string ShardPowerShell(SlurmJobSpec spec)
    {
        var text = new StringBuilder();
        text.AppendLine("# Written by Start-LossSurfaceJob: computes one shard of the surface into its own file. A rerun of the same");
        text.AppendLine("# shard (a requeued task) resumes from that file and its journal.");
        text.AppendLine("param([Parameter(Mandatory = $true)][int] $ShardIndex, [int] $Workers = 1)");
        text.AppendLine("$ErrorActionPreference = 'Stop'");
        text.AppendLine("function Write-Stamp([string] $What) { [Console]::Error.WriteLine(('[{0:yyyy-MM-ddTHH:mm:ss.fff}Z] shard {1}: {2}' -f [DateTime]::UtcNow, $ShardIndex, $What)) }");
        text.AppendLine("Write-Stamp 'shell started, module imported'");
        text.Append("$checkpoint = Import-Checkpoint -Path ").Append(PowerShellLiteral(spec.CheckpointPath));
        if (spec.CheckpointArchitecture is not null) text.Append(" -Architecture ").Append(PowerShellLiteral(spec.CheckpointArchitecture));
        text.AppendLine();
        text.Append("$direction = Import-LandscapeDirection -Path ").Append(PowerShellLiteral(spec.DirectionFile)).AppendLine(" -Checkpoint $checkpoint");
        text.AppendLine("Write-Stamp 'checkpoint and directions loaded'");
        text.AppendLine("$surface = @{");
        foreach (var (name, value) in spec.SurfaceParameters) text.Append("    ").Append(name).Append(" = ").AppendLine(PowerShellLiteral(value));
        text.AppendLine("}");
        var shardFile = spec.ShardFile(0);
        var prefix = shardFile[..shardFile.LastIndexOf("0.h5", StringComparison.Ordinal)];
        text.Append("$checkpoint | Get-LossSurface -Direction $direction @surface -ShardIndex $ShardIndex -ShardCount ").Append(spec.ShardCount.ToString(CultureInfo.InvariantCulture))
            .Append(" -ThrottleLimit $Workers -OutFile (").Append(PowerShellLiteral(prefix)).AppendLine(" + $ShardIndex + '.h5') -Verbose | Out-Null");
        text.AppendLine("Write-Stamp 'shard finished'");
        return text.ToString();
    }

    /// <summary>The array task's batch script; the task ids (--array) are given at submission, so a resubmission can name only some.</summary>
    public static string ShardBatch(SlurmJobSpec spec)
    {
        var text = BatchHeader(spec, "shard", Path.Combine(spec.LogFolder, "shard-%a.log"));
        text.AppendLine("#SBATCH --requeue");
        text.Append("#SBATCH --cpus-per-task=").AppendLine(spec.CpusPerTask.ToString(CultureInfo.InvariantCulture));
        if (spec.Gpus is { } gpus) text.Append("#SBATCH --gres=gpu:").AppendLine(gpus.ToString(CultureInfo.InvariantCulture));
        AppendCommon(spec, text);
        text.AppendLine("set -eu");
        text.AppendLine("# Threads follow the task's allocation, not the node's core count.");
        text.AppendLine("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\" MKL_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"");
        text.AppendLine("echo \"[$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)] shard ${SLURM_ARRAY_TASK_ID}: job ${SLURM_JOB_ID} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, ${SLURM_CPUS_PER_TASK:-1} CPU(s), GPUs ${CUDA_VISIBLE_DEVICES:-none}\" >&2");
        text.Append("exec ").Append(ShellInvocation(spec, spec.ShardScript))
            .AppendLine(" -ShardIndex \"${SLURM_ARRAY_TASK_ID}\" -Workers \"${SLURM_CPUS_PER_TASK:-1}\"");
        return text.ToString();
    }

    /// <summary>The PowerShell of the merge job: Merge-LossSurface of every shard file; it refuses incomplete shards.</summary>
    public static string MergePowerShell(SlurmJobSpec spec) =>
        "# Written by Start-LossSurfaceJob: joins the shard files into the surface file; refuses (and names the missing points) if a shard is incomplete.\n" +
        "$ErrorActionPreference = 'Stop'\n" +
        $"Merge-LossSurface -Path @({string.Join(", ", spec.ShardFiles.Select(PowerShellLiteral))}) -OutFile {PowerShellLiteral(spec.OutFile)} -Force -Verbose\n";

    /// <summary>The merge job's batch script; its dependency (afterok on the array) is given at submission.</summary>
    public static string MergeBatch(SlurmJobSpec spec)
    {
        var text = BatchHeader(spec, "merge", Path.Combine(spec.LogFolder, "merge.log"));
        text.AppendLine("#SBATCH --cpus-per-task=1");
        AppendCommon(spec, text);
        text.AppendLine("set -eu");
        text.AppendLine("echo \"[$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)] merge: job ${SLURM_JOB_ID} on $(hostname)\" >&2");
        text.Append("exec ").AppendLine(ShellInvocation(spec, spec.MergeScript));
        return text.ToString();
    }

    /// <summary>A PowerShell literal for a string, number, enum, switch (true/false) or array.</summary>
    public static string PowerShellLiteral(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "$true" : "$false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => "'" + e + "'",
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => "@(" + string.Join(", ", items.Cast<object>().Select(PowerShellLiteral)) + ")",
        _ => throw new ArgumentException($"No PowerShell literal for a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>A word for bash, single-quoted.</summary>
    public static string BashWord(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static StringBuilder BatchHeader(SlurmJobSpec spec, string role, string log)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/bin/bash");
        text.AppendLine($"# Written by Start-LossSurfaceJob ({role}). The shell runs {Path.GetFileName(role == "shard" ? spec.ShardScript : spec.MergeScript)} beside this file.");
        text.Append("#SBATCH --job-name=").AppendLine($"{spec.JobName}-{role}");
        text.Append("#SBATCH --chdir=").AppendLine(spec.JobFolder);
        text.Append("#SBATCH --output=").AppendLine(log);
        text.AppendLine("#SBATCH --open-mode=append");
        return text;
    }

    private static void AppendCommon(SlurmJobSpec spec, StringBuilder text)
    {
        if (spec.Partition is not null) text.Append("#SBATCH --partition=").AppendLine(spec.Partition);
        if (spec.TimeLimit is not null) text.Append("#SBATCH --time=").AppendLine(spec.TimeLimit);
        foreach (var argument in spec.ExtraSbatchArguments) text.Append("#SBATCH ").AppendLine(argument);
    }

    private static string ShellInvocation(SlurmJobSpec spec, string script) =>
        string.Join(' ', spec.ShellCommand.Select(BashWord)) + " -Module " + BashWord(spec.ModulePath) + " -File " + BashWord(script);
}
