using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.Surfaces;

public sealed class SurfaceShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    public void ShardsPartitionTheGridIntoSharesThatDifferByAtMostOnePoint(int count)
    {
        foreach (var pointCount in new[] { 0, 1, 3, 49, 50, 2601 })
        {
            var shards = Enumerable.Range(0, count).Select(i => new SurfaceShard(i, count)).ToArray();
            var owners = Enumerable.Range(0, pointCount).Select(point => shards.Where(s => s.Owns(point)).ToArray()).ToArray();
            Assert.All(owners, o => Assert.Single(o));
            var sizes = shards.Select(s => s.PointCount(pointCount)).ToArray();
            Assert.Equal(pointCount, sizes.Sum());
            Assert.InRange(sizes.Max() - sizes.Min(), 0, 1);
            foreach (var shard in shards)
            {
                var points = shard.Points(pointCount).ToArray();
                Assert.Equal(shard.PointCount(pointCount), points.Length);
                Assert.Equal(Enumerable.Range(0, pointCount).Where(shard.Owns), points);
            }
        }
    }

    [Fact]
    public void PointIBelongsToShardIModCount()
    {
        var shard = new SurfaceShard(2, 8);
        Assert.Equal([2, 10, 18, 26, 34, 42], shard.Points(49));
        Assert.Equal("shard 2 of 8", shard.ToString());
    }

    [Theory]
    [InlineData(0, 0, "count")]
    [InlineData(-1, 4, "index")]
    [InlineData(4, 4, "index")]
    public void AnInvalidShardIsRefused(int index, int count, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SurfaceShard(index, count));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void TheShardIsRecordedInTheMetadataAndAWholeSurfaceRecordsNone()
    {
        var whole = new SurfaceMetadata { CheckpointSha256 = "abc", Architecture = "Mlp", Directions = [], X = [0, 1], Data = [] };
        var sharded = whole with { Shard = new SurfaceShard(1, 3) };
        Assert.DoesNotContain("shard", whole.ToJson(), StringComparison.Ordinal);
        Assert.Equal(new SurfaceShard(1, 3), SurfaceMetadata.FromJson(sharded.ToJson()).Shard);
        Assert.Equal(whole.ToJson(), (SurfaceMetadata.FromJson(sharded.ToJson()) with { Shard = null }).ToJson());

        var invalid = sharded.ToJson().Replace("\"index\": 1", "\"index\": 5", StringComparison.Ordinal);
        Assert.NotEqual(sharded.ToJson(), invalid);
        Assert.Throws<InvalidDataException>(() => SurfaceMetadata.FromJson(invalid));
    }
}
