using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>Shards computed apart and merged give the unsharded surface; parts that do not make one surface are refused.</summary>
public sealed class SurfaceMergeTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    private static readonly DatasetReference Train = new("Digits", DatasetSplit.Train, MaxSamples: 300, SubsetSeed: 4);

    // 5×3 = 15 points: 4 shards of 4, 4, 4 and 3 points.
    private static SurfaceRequest Request(CheckpointInfo checkpoint, SurfaceShard? shard = null, int batchSize = 128, int xSteps = 5)
    {
        var recipe = new DirectionRecipe { Seed = 3, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        return new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe),
            Y = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe with { Axis = 1 }),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, xSteps), SurfaceGrid.Linspace(-0.5, 0.5, 3)),
            Data = [Train],
            BatchSize = batchSize,
            Workers = 2,
            Shard = shard,
        };
    }

    private string[] ComputeShards(string folder, int count = 4, int batchSize = 128) =>
        Enumerable.Range(0, count).Select(index =>
        {
            var file = Path.Combine(folder, $"shard-{index}.h5");
            SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], new SurfaceShard(index, count), batchSize), new RecordingSurfaceObserver(), file);
            return file;
        }).ToArray();

    [Fact]
    public void FourShardsMergeIntoTheUnshardedFileByteForByte()
    {
        var folder = checkpoints.NewFolder();
        var whole = Path.Combine(folder, "whole.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1]), new RecordingSurfaceObserver(), whole);

        var observer = new RecordingSurfaceObserver();
        var shard = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], new SurfaceShard(3, 4)), observer, Path.Combine(folder, "shard-3.h5"));
        Assert.Equal([3, 7, 11], observer.Points.Select(p => p.Index).Order());
        Assert.All(observer.Points, p => Assert.Equal(3, p.Total));
        Assert.Equal(3, shard.ComputedCount);
        Assert.True(shard.IsComplete);
        Assert.Equal(new SurfaceShard(3, 4), SurfaceStore.Read(Path.Combine(folder, "shard-3.h5")).Metadata.Shard);

        var merged = SurfaceMerge.Read(ComputeShards(folder));
        Assert.True(merged.IsComplete);
        Assert.Null(merged.Metadata.Shard);
        var mergedFile = Path.Combine(folder, "merged.h5");
        SurfaceStore.Write(mergedFile, merged);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(mergedFile));
    }

    [Fact]
    public void AnInterruptedShardResumesOnlyItsOwnPointsAndAnotherShardIsRefused()
    {
        // 41×3 = 123 points, 61 of them shard 1's: the workers finish the points they hold after the
        // stop, and the journal keeps them, but they cannot run through all 61 before the stop lands.
        const int xSteps = 41, ownPoints = 61;
        var folder = checkpoints.NewFolder();
        var file = Path.Combine(folder, "shard.h5");
        var shard = new SurfaceShard(1, 2);
        using (var cancel = new CancellationTokenSource())
        {
            var observer = new RecordingSurfaceObserver(cancel, points: 2);
            Assert.ThrowsAny<OperationCanceledException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], shard, xSteps: xSteps), observer, file, cancellation: cancel.Token));
        }
        var partial = SurfaceStore.Read(file);
        Assert.False(partial.IsComplete);
        Assert.InRange(partial.ComputedCount, 2, ownPoints - 1);

        var error = Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], new SurfaceShard(0, 2), xSteps: xSteps), new RecordingSurfaceObserver(), file));
        Assert.Contains(error.Differences, d => d.StartsWith("shard:", StringComparison.Ordinal));
        Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], xSteps: xSteps), new RecordingSurfaceObserver(), file));

        var resumedObserver = new RecordingSurfaceObserver();
        var resumed = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], shard, xSteps: xSteps), resumedObserver, file);
        Assert.Equal(ownPoints - partial.ComputedCount, resumedObserver.Points.Count);
        Assert.All(resumedObserver.Points, p => Assert.True(shard.Owns(p.Index)));
        Assert.Equal(ownPoints, resumedObserver.Points[^1].Done);
        Assert.True(resumed.IsComplete);
        Assert.Equal(ownPoints, resumed.ComputedCount);

        var uninterrupted = Path.Combine(folder, "uninterrupted.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], shard, xSteps: xSteps), new RecordingSurfaceObserver(), uninterrupted);
        Assert.Equal(File.ReadAllBytes(uninterrupted), File.ReadAllBytes(file));

        var again = new RecordingSurfaceObserver();
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], shard, xSteps: xSteps), again, file);
        Assert.Empty(again.Points);
    }

    [Fact]
    public void OverlapsGapsAndOtherSettingsAreRefusedSayingWhere()
    {
        var folder = checkpoints.NewFolder();
        var shards = ComputeShards(folder);
        var whole = Path.Combine(folder, "whole.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1]), new RecordingSurfaceObserver(), whole);

        var overlap = Assert.Throws<SurfaceMergeException>(() => SurfaceMerge.Read([shards[0], shards[1], whole, shards[2], shards[3]]));
        Assert.Equal(SurfaceMergeProblem.Overlap, overlap.Problem);
        Assert.Equal([shards[0], whole], overlap.Paths);
        Assert.Contains("both hold point 0 at (α, β) = (-1, -0.5)", overlap.Message, StringComparison.Ordinal);

        var gap = Assert.Throws<SurfaceMergeException>(() => SurfaceMerge.Read([shards[0], shards[2], shards[3]]));
        Assert.Equal(SurfaceMergeProblem.Gap, gap.Problem);
        Assert.StartsWith("4 of the 15 points are in none of the 3 file(s), the first 1 at (α, β) = (-0.5, -0.5).", gap.Message, StringComparison.Ordinal);

        var otherBatch = Path.Combine(checkpoints.NewFolder(), "shard-1.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoints.Cnn[^1], new SurfaceShard(1, 4), batchSize: 64), new RecordingSurfaceObserver(), otherBatch);
        var disagree = Assert.Throws<SurfaceMergeException>(() => SurfaceMerge.Read([shards[0], otherBatch, shards[2], shards[3]]));
        Assert.Equal(SurfaceMergeProblem.Disagree, disagree.Problem);
        Assert.Equal(otherBatch, disagree.Paths[0]);
        Assert.Contains($"batchSize: 64 in '{otherBatch}', 128 in '{shards[0]}'", disagree.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAllowGapsTheMissingPointsStayUncomputed()
    {
        var shards = ComputeShards(checkpoints.NewFolder());
        var complete = SurfaceMerge.Read(shards);

        var merged = SurfaceMerge.Read([shards[1], shards[3]], allowGaps: true);
        Assert.Equal(7, merged.ComputedCount);
        Assert.False(merged.IsComplete);
        for (var point = 0; point < 15; point++)
        {
            var expected = point % 2 == 1 ? complete.Values["train_loss"][point] : double.NaN;
            Assert.Equal(point % 2 == 1, merged.Computed[point]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(merged.Values["train_loss"][point]));
        }
    }
}
