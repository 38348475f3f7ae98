using LossLandscape.Core.Surfaces;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// A loss surface (2D) or curve (1D). Value arrays are indexed [y, x] for 2D surfaces
/// (<c>TrainLoss[i, j]</c> is at α = X[j], β = Y[i]) and [x] for 1D curves; cells not computed hold NaN.
/// </summary>
public sealed class LossSurface
{
    internal LossSurface(SurfaceResult result)
    {
        Result = result;
        var primary = result.Metadata.Data.Count > 0 ? SurfaceResult.LossKey(result.Metadata.Data[0].Prefix) : "";
        if (!result.Values.TryGetValue(primary, out var loss)) return;
        var best = -1;
        for (var i = 0; i < loss.Length; i++)
        {
            if (!result.Computed[i]) continue;
            if (!double.IsFinite(loss[i])) NonFiniteLossCount++;
            else if (best < 0 || loss[i] < loss[best]) best = i;
        }
        if (best >= 0)
        {
            MinLoss = loss[best];
            (MinAlpha, MinBeta) = result.Grid.Coordinates(best);
        }
    }

    internal SurfaceResult Result { get; }

    public int Dimensions => Result.Grid.IsTwoDimensional ? 2 : 1;

    public double[] X => Result.Grid.X;

    public double[]? Y => Result.Grid.Y;

    public string GridSize => Result.Grid.Y is null ? $"{X.Length}" : $"{X.Length}×{Result.Grid.Y.Length}";

    public string XRange => $"[{X[0]:G4}, {X[^1]:G4}]";

    public string? YRange => Y is null ? null : $"[{Y[0]:G4}, {Y[^1]:G4}]";

    public string[] Splits => Result.Metadata.Data.Select(d => d.Dataset.Split.ToString()).ToArray();

    public string Dataset => string.Join(", ", Result.Metadata.Data.Select(d => $"{d.Dataset} ({d.SampleCount})"));

    public Array? TrainLoss => Grid("train_loss");

    public Array? TrainAccuracy => Grid("train_acc");

    public Array? TestLoss => Grid("test_loss");

    public Array? TestAccuracy => Grid("test_acc");

    /// <summary>-Metric Curvature: λmax, λmin and |λmin/λmax| at each point.</summary>
    public Array? MaxEigenvalue => Grid("max_eig");

    public Array? MinEigenvalue => Grid("min_eig");

    public Array? EigenvalueRatio => Grid("eig_ratio");

    /// <summary>How many direction draws the surface holds (Get-LossSurface -DirectionCount); the grids above are draw 0's.</summary>
    public int DirectionCount => Result.Members?.Count ?? 1;

    /// <summary>Every direction draw, draw 0 first; null for a surface of one draw.</summary>
    public LossSurfaceDraw[]? Members => Result.Members is { } members
        ? Enumerable.Range(0, members.Count).Select(k => new LossSurfaceDraw(k, members.Seeds[k], key => members.Values.ContainsKey(key) ? Shape(members.Grid(key, k)) : null,
            members.XCurvature[k], members.YCurvature?[k])).ToArray()
        : null;

    /// <summary>The mean over the direction draws at each point (NaN where a draw is not computed); null for one draw.</summary>
    public Array? MeanTrainLoss => Statistic("train_loss", standardDeviation: false);

    /// <summary>The sample standard deviation (divisor K − 1) over the direction draws at each point; null for one draw.</summary>
    public Array? SdTrainLoss => Statistic("train_loss", standardDeviation: true);

    public Array? MeanTestLoss => Statistic("test_loss", standardDeviation: false);

    public Array? SdTestLoss => Statistic("test_loss", standardDeviation: true);

    public Array? MeanTrainAccuracy => Statistic("train_acc", standardDeviation: false);

    public Array? SdTrainAccuracy => Statistic("train_acc", standardDeviation: true);

    public Array? MeanTestAccuracy => Statistic("test_acc", standardDeviation: false);

    public Array? SdTestAccuracy => Statistic("test_acc", standardDeviation: true);

    /// <summary>δᵀHδ at θ* along each draw's x direction (one Hessian-vector product per batch); null for one draw.</summary>
    public double[]? MemberCurvature => Result.Members?.XCurvature.ToArray();

    /// <summary>δᵀHδ along each draw's y direction; null for a line or one draw.</summary>
    public double[]? MemberYCurvature => Result.Members?.YCurvature?.ToArray();

    /// <summary>The mean of <see cref="MemberCurvature"/>.</summary>
    public double? CurvatureMean => Result.Members is { } m ? SurfaceMembers.Statistics(m.XCurvature).Mean : null;

    /// <summary>The sample standard deviation of <see cref="MemberCurvature"/>.</summary>
    public double? CurvatureSd => Result.Members is { } m ? SurfaceMembers.Statistics(m.XCurvature).StandardDeviation : null;

    public double? YCurvatureMean => Result.Members?.YCurvature is { } y ? SurfaceMembers.Statistics(y).Mean : null;

    public double? YCurvatureSd => Result.Members?.YCurvature is { } y ? SurfaceMembers.Statistics(y).StandardDeviation : null;

    /// <summary>What each point holds: Loss, or the curvature settings.</summary>
    public string Metric => Result.Metadata.Metric;

    /// <summary>The dataset names of the values this surface holds.</summary>
    public string[] ValueNames => Result.Values.Keys.ToArray();

    /// <summary>The lowest finite loss of the first split, and where it is; it skips the <see cref="NonFiniteLossCount"/> points whose loss diverged.</summary>
    public double? MinLoss { get; }

    /// <summary>Computed points whose loss (first split) is NaN or infinite: <see cref="MinLoss"/> skipped them.</summary>
    public int NonFiniteLossCount { get; }

    public double? MinAlpha { get; }

    public double? MinBeta { get; }

    public string Architecture => Result.Metadata.Architecture;

    public int? CheckpointEpoch => Result.Metadata.CheckpointEpoch;

    public long? CheckpointStep => Result.Metadata.CheckpointStep;

    public string CheckpointSha256 => Result.Metadata.CheckpointSha256;

    /// <summary>The directions' recipes, hashes and norms, as recorded with the surface.</summary>
    public SurfaceDirectionInfo[] Directions => Result.Metadata.Directions.ToArray();

    public string LossFunction => Result.Metadata.LossFunction.ToString();

    /// <summary>Which statistics BatchNorm normalized with at each point (-BatchNormStatistics), with the batch count k of Reset when it was limited.</summary>
    public string BatchNormStatistics => Result.Metadata.BatchNormResetBatches is { } k ? $"{Result.Metadata.BatchNormStatistics} ({k} batches)" : Result.Metadata.BatchNormStatistics.ToString();

    /// <summary>Grid points times direction draws: what a complete surface computes.</summary>
    public int PointCount => Result.Grid.PointCount * DirectionCount;

    /// <summary>Points computed so far, over every direction draw.</summary>
    public int ComputedCount => Result.Members?.Computed.Count(c => c) ?? Result.ComputedCount;

    /// <summary>All points are computed; for a shard's file, all of that shard's points.</summary>
    public bool IsComplete => Result.IsComplete;

    /// <summary>The shard this file computes (0-based), or null for a whole surface; see Get-LossSurface -ShardIndex.</summary>
    public int? ShardIndex => Result.Metadata.Shard?.Index;

    public int? ShardCount => Result.Metadata.Shard?.Count;

    /// <summary>Time spent computing it here; null (shown as "unknown") for a surface imported or merged from files, which record none.</summary>
    public TimeSpan? Elapsed => Result.Elapsed;

    /// <summary>The HDF5 file holding the surface, when it was written to or read from one.</summary>
    public string? Path => Result.FilePath;

    public override string ToString() =>
        $"{Dimensions}D {GridSize} surface of {Architecture}" + (Result.Metadata.Shard is { } shard ? $" ({shard})" : "") + (MinLoss is { } m ? $", min loss {m:G5} at ({MinAlpha:G3}, {MinBeta:G3})" : "")
        + (NonFiniteLossCount > 0 ? $", {NonFiniteLossCount} non-finite loss(es) skipped" : "")
        + (Result.Members is { } draws ? $", {draws.Count} direction draws (δᵀHδ {CurvatureMean:G4} ± {CurvatureSd:G3})" : "");

    private Array? Grid(string key) => Result.Values.TryGetValue(key, out var flat) ? Shape(flat) : null;

    private Array? Statistic(string key, bool standardDeviation)
    {
        if (Result.Members is not { } members || !members.Values.ContainsKey(key)) return null;
        var (mean, deviation) = members.Statistics(key);
        return Shape(standardDeviation ? deviation : mean);
    }

    /// <summary>A flat grid as [y, x] for a surface, a copy of it for a line.</summary>
    private Array Shape(double[] flat)
    {
        if (Result.Grid.Y is null) return flat.ToArray();
        var grid = new double[Result.Grid.Y.Length, X.Length];
        Buffer.BlockCopy(flat, 0, grid, 0, flat.Length * sizeof(double));
        return grid;
    }
}
