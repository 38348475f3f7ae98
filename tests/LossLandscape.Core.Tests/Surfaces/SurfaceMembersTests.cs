using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using PureHDF;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>Surfaces of several direction draws (-DirectionCount): statistics, the file's members group, shards.</summary>
public sealed class SurfaceMembersTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    private static readonly DatasetReference Train = new("Digits", DatasetSplit.Train, MaxSamples: 120, SubsetSeed: 4);

    /// <summary>3 draws (seeds 3, 4, 5) of a 3×2 plane.</summary>
    private static SurfaceRequest Request(CheckpointInfo checkpoint, SurfaceShard? shard = null)
    {
        var runtime = LandscapeRuntime.Load();
        SurfaceDraw Draw(long seed)
        {
            var recipe = new DirectionRecipe { Seed = seed, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
            return new SurfaceDraw(DirectionBuilder.Build(runtime, checkpoint, recipe), DirectionBuilder.Build(runtime, checkpoint, recipe with { Axis = 1 }));
        }
        var first = Draw(3);
        return new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = first.X,
            Y = first.Y,
            AdditionalDraws = [Draw(4), Draw(5)],
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, 3), SurfaceGrid.Linspace(-0.5, 0.5, 2)),
            Data = [Train],
            BatchSize = 64,
            Shard = shard,
        };
    }

    [Fact]
    public void MeanAndSampleDeviationPerCellAreTheHandComputedOnesAndNaNWhereADrawIsMissing()
    {
        // Three draws of three cells, draw-major: cell 0 holds 1, 2, 6; cell 1 holds 0, 0, 0; cell 2 holds 5, (not computed), 7.
        var members = new SurfaceMembers(
            [10, 11, 12],
            new Dictionary<string, double[]> { ["train_loss"] = [1, 0, 5, 2, 0, double.NaN, 6, 0, 7] },
            [true, true, true, true, true, false, true, true, true],
            [1, 2, 3],
            null);

        var (mean, deviation) = members.Statistics("train_loss");
        var (min, max) = members.Range("train_loss");

        // Cell 0: mean 3, squares 4 + 1 + 9 = 14 over K − 1 = 2 → √7.
        Assert.Equal(3, mean[0]);
        Assert.Equal(Math.Sqrt(7), deviation[0], 15);
        Assert.Equal((0.0, 0.0), (mean[1], deviation[1]));
        Assert.True(double.IsNaN(mean[2]) && double.IsNaN(deviation[2]));
        Assert.Equal([1, 0, double.NaN], min);
        Assert.Equal([6, 0, double.NaN], max);
        Assert.Equal((2.0, 1.0), SurfaceMembers.Statistics(members.XCurvature));
        Assert.Equal([6, 0, 7], members.Grid("train_loss", 2));
    }

    [Fact]
    public void EachDrawEqualsTheSurfaceOfItsSeedAndTheFileHoldsThemAsKByNyByNx()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var file = Path.Combine(folder, "draws.h5");
        var request = Request(checkpoint);

        var surface = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver(), file);

        Assert.Equal(3, surface.Metadata.DirectionCount);
        var members = Assert.IsType<SurfaceMembers>(surface.Members);
        Assert.Equal([3L, 4, 5], members.Seeds);
        for (var draw = 0; draw < 3; draw++)
        {
            var single = SurfaceEngine.Compute(LandscapeRuntime.Load(), request with { X = request.Draws[draw].X, Y = request.Draws[draw].Y, AdditionalDraws = [] }, new RecordingSurfaceObserver());
            Assert.Null(single.Members);
            Assert.Equal(Bits(single.Values["train_loss"]), Bits(members.Grid("train_loss", draw)));
            Assert.Equal(Bits(single.Values["train_acc"]), Bits(members.Grid("train_acc", draw)));
        }
        Assert.Equal(Bits(members.Grid("train_loss", 0)), Bits(surface.Values["train_loss"]));
        Assert.All(members.XCurvature.Concat(members.YCurvature!), c => Assert.True(double.IsFinite(c)));

        using (var h5 = H5File.OpenRead(file))
        {
            var group = h5.Group(SurfaceFile.MembersName);
            Assert.Equal([3UL, 2, 3], group.Dataset("train_loss").Space.Dimensions);
            Assert.Equal([3UL, 2, 3], group.Dataset("computed").Space.Dimensions);
            Assert.Equal([3L, 4, 5], group.Dataset("seed").Read<long[]>());
            Assert.Equal(members.YCurvature, group.Dataset("y_curvature").Read<double[]>());
            // The paper code's datasets stay (ny, nx): draw 0.
            Assert.Equal([2UL, 3], h5.Dataset("train_loss").Space.Dimensions);
            Assert.Equal(Bits(surface.Values["train_loss"]), Bits(h5.Dataset("train_loss").Read<double[]>()));
        }

        var read = SurfaceStore.Read(file);
        Assert.Equal(Bits(members.Values["train_loss"]), Bits(read.Members!.Values["train_loss"]));
        Assert.Equal(members.XCurvature, read.Members.XCurvature);
        Assert.True(read.IsComplete);
    }

    [Fact]
    public void ShardsOfSeveralDrawsMergeIntoTheUnshardedFileByteForByte()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var whole = Path.Combine(folder, "whole.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint), new RecordingSurfaceObserver(), whole);
        var shards = Enumerable.Range(0, 2).Select(index =>
        {
            var file = Path.Combine(folder, $"shard-{index}.h5");
            var observer = new RecordingSurfaceObserver();
            var shard = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, new SurfaceShard(index, 2)), observer, file);
            // Three of the six points, in each of the three draws.
            Assert.Equal(9, observer.Points.Count);
            Assert.True(shard.IsComplete);
            Assert.Equal(9, shard.OwnPointCount);
            return file;
        }).ToArray();

        var merged = SurfaceMerge.Read(shards);
        var mergedFile = Path.Combine(folder, "merged.h5");
        SurfaceStore.Write(mergedFile, merged);

        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(mergedFile));
        var gap = Assert.Throws<SurfaceMergeException>(() => SurfaceMerge.Read([shards[0]]));
        Assert.Contains("9 of the 18 points", gap.Message);
    }

    [Fact]
    public void AStoppedRunResumesOnlyTheMissingDrawPointsAndAnotherCountIsRefused()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var file = Path.Combine(folder, "stopped.h5");
        using var stop = new CancellationTokenSource();

        // At least 8 of the 18 points: all of draw 0 and two of draw 1 (one worker takes them in order);
        // the point the worker held when the stop came may be journaled too.
        Assert.Throws<OperationCanceledException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint), new RecordingSurfaceObserver(stop, points: 8), file, cancellation: stop.Token));
        var partial = SurfaceStore.Read(file);
        Assert.False(partial.IsComplete);
        var done = partial.Members!.Computed.Count(c => c);
        Assert.InRange(done, 8, 9);
        Assert.True(partial.Computed.All(c => c));

        var fewer = Request(checkpoint) with { AdditionalDraws = Request(checkpoint).AdditionalDraws.Take(1).ToArray() };
        var mismatch = Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), fewer, new RecordingSurfaceObserver(), file));
        Assert.Contains("directionCount: 3", mismatch.Message);

        var observer = new RecordingSurfaceObserver();
        var resumed = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint), observer, file);
        Assert.Equal(18 - done, observer.Points.Count);
        Assert.All(observer.Points, p => Assert.True(p.Index >= done));
        var fresh = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint), new RecordingSurfaceObserver());
        Assert.Equal(Bits(fresh.Members!.Values["train_loss"]), Bits(resumed.Members!.Values["train_loss"]));
        Assert.Equal(fresh.Members.XCurvature, resumed.Members.XCurvature);
        Assert.False(File.Exists(SurfaceJournal.PathFor(file)));
    }

    [Fact]
    public void AJobsShardProgressCountsThePointsOfEveryDraw()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var files = new[] { Path.Combine(folder, "shard-0.h5"), Path.Combine(folder, "shard-1.h5") };
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, new SurfaceShard(0, 2)), new RecordingSurfaceObserver(), files[0]);
        using var stop = new CancellationTokenSource();
        // Shard 1 stops after 5 of its 9 points (all 3 of draw 0 and 2 of draw 1), in its journal and stopped file.
        Assert.Throws<OperationCanceledException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, new SurfaceShard(1, 2)), new RecordingSurfaceObserver(stop, points: 5), files[1], cancellation: stop.Token));
        var manifest = new LossLandscape.Core.Clusters.SlurmJobManifest
        {
            ShardCount = 2,
            PointCount = 6,
            DirectionCount = 3,
            ShardFiles = files,
            OutFile = Path.Combine(folder, "merged.h5"),
            ShardBatchScript = "shard.sbatch",
            MergeBatchScript = "merge.sbatch",
            Arrays = [new LossLandscape.Core.Clusters.SlurmArraySubmission("1", [0, 1])],
            MergeJobId = "2",
        };

        var status = LossLandscape.Core.Clusters.SurfaceJobStatus.Read(manifest, scheduler: null);

        // The point the worker held when the stop came may be journaled too.
        Assert.Equal((9, 9), (status.Shards[0].Done, status.Shards[0].Total));
        Assert.InRange(status.Shards[1].Done, 5, 6);
        Assert.Equal(9, status.Shards[1].Total);
        Assert.Equal([1], status.IncompleteShards);
    }

    [Fact]
    public void AFileWhoseTopLevelGridsAreNotDrawZeroIsRefused()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var file = Path.Combine(folder, "draws.h5");
        var surface = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint), new RecordingSurfaceObserver(), file);
        var forged = surface with { Values = new Dictionary<string, double[]>(surface.Values) { ["train_loss"] = surface.Members!.Grid("train_loss", 1) } };
        SurfaceStore.Write(file, forged);

        var refused = Assert.Throws<InvalidDataException>(() => SurfaceStore.Read(file));
        Assert.Contains("differ from draw 0", refused.Message);
    }

    private static long[] Bits(double[] values) => Array.ConvertAll(values, BitConverter.DoubleToInt64Bits);
}
