namespace LossLandscape.PowerShell.Tests;

/// <summary>A surface job folder as Start-LossSurfaceJob leaves it before any task ran (also linked into the shell tests).</summary>
internal static class UnstartedJob
{
    /// <summary>The job.json of a 7×7 grid in 4 shards (array job 41, merge job 42) whose tasks never wrote a file.</summary>
    public static void WriteManifest(string folder)
    {
        Directory.CreateDirectory(folder);
        var shards = string.Join(", ", Enumerable.Range(0, 4).Select(k => $"\"{folder}/shard-{k}.h5\""));
        File.WriteAllText(Path.Combine(folder, "job.json"), $$"""
            { "Format": "LossLandscape.SlurmJob", "FormatVersion": 1, "ShardCount": 4, "PointCount": 49,
              "ShardFiles": [{{shards}}], "OutFile": "{{folder}}/surface.h5",
              "ShardBatchScript": "{{folder}}/shard.sbatch", "MergeBatchScript": "{{folder}}/merge.sbatch",
              "Arrays": [{ "JobId": "41", "Tasks": [0, 1, 2, 3] }], "MergeJobId": "42" }
            """);
    }
}
