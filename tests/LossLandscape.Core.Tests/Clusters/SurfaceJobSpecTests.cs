using System.Text;
using LossLandscape.Core.Clusters;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Specs;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Clusters;

/// <summary>A surface job's spec.json and its sbatch command lines, without a cluster.</summary>
public sealed class SurfaceJobSpecTests
{
    private const string HostileFolder = "/jobs/o'neil; touch pwned $(id) `id` \u2018x\u2019 \u201bq\u2028\nnext";

    private static SurfaceJobSpec Job(SlurmResources? resources = null) => new()
    {
        Surface = new SurfaceSpec
        {
            Evaluation = new EvaluationSpec
            {
                Checkpoint = new CheckpointSource(HostileFolder + "/epoch-001.dat", "ab12"),
                Data = new DatasetReference("Digits", MaxSamples: 200, SubsetSeed: 5),
                Split = EvaluationSplit.Both,
                FoldBatchNorm = true,
            },
            Directions =
            [
                new DirectionSource { Recipe = new DirectionRecipe { CheckpointSha256 = "ab12" }, Sha256 = "x1", FilePath = HostileFolder + "/directions.h5" },
                new DirectionSource { Recipe = new DirectionRecipe { CheckpointSha256 = "ab12", Axis = 1 }, Sha256 = "y1", FilePath = HostileFolder + "/directions.h5" },
            ],
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 0.5, 7), SurfaceGrid.Linspace(-1, 1, 7)),
        },
        ShardCount = 4,
        OutFile = HostileFolder + "/surface.h5",
        Run = new RunOptions { Device = ComputeDevice.Parse("cuda:1"), Workers = 2, ThreadsPerPoint = 3 },
        Resources = resources ?? new SlurmResources { JobName = "a b;$(x)`y`\u2019", Partition = "gpu", Gpus = 1, CpusPerTask = 2, TimeLimit = "10:00", ExtraSbatchArguments = ["--mem=8G", "--comment=it's; $(fine)"] },
        Runner = ["/opt/ll/losslandscape", "-Module", "/opt/ll/LossLandscape.psd1", "-CommandWithArgs", "$args", "/opt/ll/LossLandscape.psd1"],
    };

    [Fact]
    public void EveryValueReachesSbatchAsOneArgumentOfItsOwnAndTheTaskCommandLast()
    {
        var job = Job();
        var shard = SlurmSubmission.ShardArguments(HostileFolder, job, [1, 3]);

        Assert.Equal(
            [
                "--job-name=a b;$(x)`y`\u2019-shard", "--chdir=" + HostileFolder, "--output=logs/shard-%a.log", "--open-mode=append",
                "--partition=gpu", "--time=10:00", "--requeue", "--cpus-per-task=2", "--gres=gpu:1",
                "--mem=8G", "--comment=it's; $(fine)", "--array=1,3", HostileFolder + "/shard.sbatch",
                .. job.Runner,
            ],
            shard);
        var merge = SlurmSubmission.MergeArguments(HostileFolder, job, ["41", "42_3"]);
        Assert.Equal("--dependency=afterok:41:42_3", merge[^(job.Runner.Count + 2)]);
        Assert.Equal(HostileFolder + "/merge.sbatch", merge[^(job.Runner.Count + 1)]);
        Assert.Contains("--output=logs/merge.log", merge);
        Assert.DoesNotContain("--requeue", merge);
    }

    [Fact]
    public void TheBatchScriptsAreFixedTextThatOnlyRunTheirArguments()
    {
        foreach (var script in new[] { SlurmSubmission.ShardBatchScript, SlurmSubmission.MergeBatchScript })
        {
            Assert.StartsWith("#!/bin/bash\n", script);
            Assert.DoesNotContain("#SBATCH", script);
            Assert.Single(script.Split('\n'), line => line.StartsWith("exec ", StringComparison.Ordinal));
        }
        Assert.Contains("exec \"$@\" \"${SLURM_ARRAY_TASK_ID}\"\n", SlurmSubmission.ShardBatchScript);
        Assert.Contains("exec \"$@\" merge\n", SlurmSubmission.MergeBatchScript);
    }

    [Fact]
    public void BatchNormStatisticsReachEveryTaskThroughTheSpec()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-jobspec-").FullName;
        var job = Job();
        job = job with { Surface = job.Surface with { Evaluation = job.Surface.Evaluation with { FoldBatchNorm = false, BatchNormStatistics = BatchNormStatistics.Reset, BatchNormResetBatches = 3 } } };
        try
        {
            job.Write(folder);
            Assert.Contains("\"batchNormStatistics\": \"Reset\"", File.ReadAllText(Path.Combine(folder, "spec.json")));
            var shard = SurfaceJobSpec.Read(folder).ShardSurface(1);
            Assert.Equal(BatchNormStatistics.Reset, shard.Evaluation.BatchNormStatistics);
            Assert.Equal(3, shard.Evaluation.BatchNormResetBatches);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        // Folding bakes θ*'s statistics into the convolutions: it contradicts recomputed ones.
        var folded = job.Surface with { Evaluation = job.Surface.Evaluation with { FoldBatchNorm = true } };
        Assert.Contains("-FoldBatchNorm", Assert.Throws<SpecException>(folded.Validate).Message);
    }

    [Fact]
    public void TheSpecRoundTripsThroughItsFileWithEveryCharacterOfItsPaths()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-jobspec-").FullName;
        var job = Job();
        SurfaceJobSpec read;
        try
        {
            job.Write(folder);
            read = SurfaceJobSpec.Read(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Assert.Equal(job.ToJson(), read.ToJson());
        Assert.Equal(HostileFolder + "/epoch-001.dat", read.Surface.Evaluation.Checkpoint.Path);
        Assert.Equal("cuda:1", read.Run.Device.ToString());
        Assert.Equal(200, read.Surface.Evaluation.Data.MaxSamples);
        Assert.Equal(job.Surface.Grid.X, read.Surface.Grid.X);
        Assert.Equal(new SurfaceShard(2, 4), read.ShardSurface(2).Shard);
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(job.ToJson()).Split('"').Where((_, i) => i % 2 == 1));
    }

    [Fact]
    public void AnOversizedOrDeeplyNestedSpecIsInvalidDataBeforeItIsParsedWhole()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-jobspec-").FullName;
        try
        {
            // 1 GB declared by a sparse file: refused from its length, not read.
            using (var stream = File.Create(SurfaceJobSpec.PathIn(folder))) stream.SetLength(1L << 30);
            var oversized = Assert.Throws<InvalidDataException>(() => SurfaceJobSpec.Read(folder));
            Assert.Contains($"holds {1L << 30} bytes", oversized.Message);

            File.WriteAllText(SurfaceJobSpec.PathIn(folder), new string('[', 100_000) + new string(']', 100_000));
            var nested = Assert.Throws<InvalidDataException>(() => SurfaceJobSpec.Read(folder));
            Assert.Contains("is not a surface job spec", nested.Message);

            using (var stream = File.Create(SlurmJobManifest.PathIn(folder))) stream.SetLength(1L << 30);
            Assert.Throws<InvalidDataException>(() => SlurmJobManifest.Read(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("JobName", "a\nb")]
    [InlineData("JobName", "a\rb")]
    [InlineData("Partition", "gpu\n#SBATCH --wrap=id")]
    [InlineData("TimeLimit", "10\0")]
    [InlineData("Extra", "--mem=1G\ntouch x")]
    [InlineData("Extra", "evil.sh")]
    public void ALineBreakNulOrNonOptionInASchedulerValueIsRefusedNamingTheValue(string field, string value)
    {
        var resources = field switch
        {
            "JobName" => new SlurmResources { JobName = value },
            "Partition" => new SlurmResources { Partition = value },
            "TimeLimit" => new SlurmResources { TimeLimit = value },
            _ => new SlurmResources { ExtraSbatchArguments = ["--mem=1G", value] },
        };

        var problem = Assert.Throws<SpecException>(() => Job(resources).Validate());

        Assert.Equal(SpecProblem.JobArgument, problem.Problem);
        Assert.Equal(value, problem.Value);
    }
}
