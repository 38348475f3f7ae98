using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Surfaces;

public sealed class SurfaceEngineTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    private static readonly DatasetReference Train = new("Digits", DatasetSplit.Train, MaxSamples: 300, SubsetSeed: 4);

    private static SurfaceRequest Request(CheckpointInfo checkpoint, int steps = 5, int workers = 1, long seed = 3, DatasetReference? data = null)
    {
        var recipe = new DirectionRecipe { Seed = seed, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        return new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe),
            Y = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe with { Axis = 1 }),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, steps), SurfaceGrid.Linspace(-0.5, 0.5, steps - 2)),
            Data = [data ?? Train],
            Workers = workers,
        };
    }

    [Fact]
    public void LinearSoftmaxSurfaceEqualsTheClosedForm()
    {
        var checkpoint = checkpoints.Linear[^1];
        var request = Request(checkpoint);
        var result = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver());

        var data = DatasetCatalog.LoadArrays(LandscapeRuntime.Load().DatasetCache, Train);
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint);
        var theta = ParameterLayout.Of(model).FlattenParameters(model);
        // Mlp without hidden layers: layers.0.weight [10×64] then layers.0.bias [10]; biases are not moved.
        for (var index = 0; index < request.Grid.PointCount; index++)
        {
            var (alpha, beta) = request.Grid.Coordinates(index);
            var (loss, accuracy) = SoftmaxRegression(theta, request.X.Parameters, request.Y!.Parameters, alpha, beta, data);
            Assert.Equal(loss, result.Values["train_loss"][index], loss * 1e-5);
            Assert.Equal(accuracy, result.Values["train_acc"][index], 1e-9);
        }
        Assert.True(result.IsComplete);
    }

    [Fact]
    public void CentrePointEqualsTheCheckpointsOwnLoss()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var result = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, data: checkpoint.Metadata.Dataset), new RecordingSurfaceObserver());
        var centre = result.Grid.NearestToOrigin();
        Assert.Equal((0.0, 0.0), result.Grid.Coordinates(centre));
        var expected = checkpoint.Metadata.TrainLoss!.Value;
        Assert.Equal(expected, result.Values["train_loss"][centre], expected * 1e-6);
        Assert.Equal(checkpoint.Metadata.TrainAccuracy!.Value, result.Values["train_acc"][centre], 1e-9);
    }

    [Fact]
    public void EvaluatorRestoresThetaBitForBit()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var request = Request(checkpoint);
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint);
        var layout = ParameterLayout.Of(model);
        var before = layout.FlattenParameters(model);
        var buffersBefore = layout.FlattenBuffers(model);
        using var data = DatasetCatalog.Load(LandscapeRuntime.Load(), Train);
        using (var evaluator = new SurfaceEvaluator(model, request.X, request.Y))
        {
            evaluator.MoveTo(0.7, -0.3);
            new LossMetric(LossFunction.CrossEntropy, 128).Evaluate(model, [data], CancellationToken.None);
            Assert.NotEqual(before, layout.FlattenParameters(model));
            evaluator.MoveTo(-1, 1);
            new LossMetric(LossFunction.Mse, 64).Evaluate(model, [data], CancellationToken.None);
            evaluator.Restore();
            Assert.Equal(before, layout.FlattenParameters(model));
        }
        Assert.Equal(before, layout.FlattenParameters(model));
        Assert.Equal(buffersBefore, layout.FlattenBuffers(model));
    }

    [Fact]
    public void SameSeedGivesBitIdenticalValuesWhateverTheWorkerCount()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var serial = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, workers: 1), new RecordingSurfaceObserver());
        var parallel = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, workers: 2), new RecordingSurfaceObserver());
        var otherSeed = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, workers: 1, seed: 4), new RecordingSurfaceObserver());
        foreach (var key in serial.Values.Keys)
        {
            Assert.Equal(serial.Values[key].Select(BitConverter.DoubleToInt64Bits), parallel.Values[key].Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.NotEqual(serial.Values["train_loss"], otherSeed.Values["train_loss"]);
    }

    [Fact]
    public void ALinearModelsSurfaceIsBitIdenticalFromRunToRun()
    {
        // Its points are MKL float32 GEMMs. Without MKL_CBWR=AUTO,STRICT, a standalone process running
        // this request twelve times got two different results (9 and 3 runs); this test host's memory
        // layout happens not to show it, so the guard is kept for hosts where it would.
        var checkpoint = checkpoints.Linear[^1];
        var runs = Enumerable.Range(0, 8)
            .Select(_ => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, workers: 2), new RecordingSurfaceObserver()).Values["train_loss"].Select(BitConverter.DoubleToInt64Bits).ToArray())
            .ToArray();
        Assert.All(runs, run => Assert.Equal(runs[0], run));
    }

    [Fact]
    public void InterpolationPassesThroughBothCheckpoints()
    {
        var start = checkpoints.Cnn[1];
        var end = checkpoints.Cnn[2];
        var recipe = new DirectionRecipe { Kind = DirectionKind.Target, Normalization = DirectionNormalization.None, IgnoreBiasAndNorm = false, CheckpointSha256 = start.Metadata.StateSha256 };
        var request = new SurfaceRequest
        {
            Checkpoint = start,
            X = DirectionBuilder.Build(LandscapeRuntime.Load(), start, recipe, end),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-0.5, 1.5, 9), null),
            Data = [start.Metadata.Dataset!],
        };
        var result = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver());
        var loss = result.Values["train_loss"];
        Assert.Equal(start.Metadata.TrainLoss!.Value, loss[2], start.Metadata.TrainLoss.Value * 1e-6);
        // At α = 1 the BN statistics are still θ*'s (Eval mode), so compare with the BN-interpolating run below.
        var statesRequest = request with { X = DirectionBuilder.Build(LandscapeRuntime.Load(), start, recipe with { BatchNormStatistics = BatchNormStatistics.Interpolate }, end), BatchNormStatistics = BatchNormStatistics.Interpolate };
        Assert.Throws<ArgumentException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), statesRequest with { BatchNormStatistics = BatchNormStatistics.Running }, new RecordingSurfaceObserver()));
        var states = SurfaceEngine.Compute(LandscapeRuntime.Load(), statesRequest, new RecordingSurfaceObserver()).Values["train_loss"];
        Assert.Equal(end.Metadata.TrainLoss!.Value, states[6], end.Metadata.TrainLoss.Value * 1e-5);
        Assert.Equal(loss[2], states[2]);
    }

    [Fact]
    public void ResetAndBatchStatisticsAtEveryPointEqualTheModelPlacedThereAndRecomputedByHand()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var data = checkpoint.Metadata.Dataset! with { MaxSamples = 200, SubsetSeed = 1 };
        var test = data with { Split = DatasetSplit.Test };
        var request = Request(checkpoint, data: test) with { Grid = new SurfaceGrid([-1.5, 0, 0.75], null), Y = null, BatchSize = 64 };
        var runtime = LandscapeRuntime.Load();
        var reset = SurfaceEngine.Compute(runtime, request with { BatchNormStatistics = BatchNormStatistics.Reset, BatchNormResetData = data, BatchNormResetBatches = 2 }, new RecordingSurfaceObserver());
        var batch = SurfaceEngine.Compute(runtime, request with { BatchNormStatistics = BatchNormStatistics.Batch }, new RecordingSurfaceObserver());
        var running = SurfaceEngine.Compute(runtime, request, new RecordingSurfaceObserver());

        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        using var evaluator = new SurfaceEvaluator(model, request.X, null);
        using var train = DatasetCatalog.Load(runtime, data);
        using var evaluated = DatasetCatalog.Load(runtime, test);
        // The engine lays maps out channels-last on its own thread count: equal up to float rounding.
        for (var i = 0; i < 3; i++)
        {
            evaluator.MoveTo(request.Grid.X[i], 0);
            AssertClose(Evaluation.Evaluate(model, evaluated, 64, batchStatistics: true).Loss, batch.Values["test_loss"][i]);
            AssertClose(Evaluation.Evaluate(model, evaluated, 64).Loss, running.Values["test_loss"][i]);
        }
        // Recomputing replaces θ*'s statistics in this model for good, so it comes last.
        for (var i = 0; i < 3; i++)
        {
            evaluator.MoveTo(request.Grid.X[i], 0);
            BatchNormLayers.Recompute(model, train, 64, 2);
            AssertClose(Evaluation.Evaluate(model, evaluated, 64).Loss, reset.Values["test_loss"][i]);
            Assert.NotEqual(running.Values["test_loss"][i], reset.Values["test_loss"][i]);
        }
        Assert.Equal(BatchNormStatistics.Reset, reset.Metadata.BatchNormStatistics);
        Assert.Equal(2, reset.Metadata.BatchNormResetBatches);
        Assert.Contains(running.Metadata.Differences(reset.Metadata), d => d.StartsWith("batchNormStatistics:", StringComparison.Ordinal));
        Assert.Contains(reset.Metadata.Differences(reset.Metadata with { BatchNormResetBatches = null }), d => d.StartsWith("batchNormResetBatches:", StringComparison.Ordinal));
        static void AssertClose(double expected, double actual) => Assert.Equal(expected, actual, 1e-5 * expected);
    }

    [Fact]
    public void CancelledRunResumesFromItsJournalAndEndsBitIdentical()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var folder = checkpoints.NewFolder();
        var interrupted = Path.Combine(folder, "interrupted.h5");
        var uninterrupted = Path.Combine(folder, "uninterrupted.h5");

        using (var cancel = new CancellationTokenSource())
        {
            var observer = new RecordingSurfaceObserver(cancel, points: 6);
            Assert.ThrowsAny<OperationCanceledException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, workers: 2), observer, interrupted, cancellation: cancel.Token));
        }
        Assert.True(File.Exists(SurfaceJournal.PathFor(interrupted)));
        var partial = SurfaceStore.Read(interrupted);
        Assert.InRange(partial.ComputedCount, 6, 14);
        // A torn record at the end (a kill mid-write) is ignored.
        File.AppendAllText(SurfaceJournal.PathFor(interrupted), "torn");

        var resumedObserver = new RecordingSurfaceObserver();
        var resumed = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, workers: 2), resumedObserver, interrupted);
        Assert.Equal(15 - partial.ComputedCount, resumedObserver.Points.Count);
        Assert.True(resumed.IsComplete);
        Assert.False(File.Exists(SurfaceJournal.PathFor(interrupted)));

        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, workers: 1), new RecordingSurfaceObserver(), uninterrupted);
        Assert.Equal(File.ReadAllBytes(uninterrupted), File.ReadAllBytes(interrupted));

        var again = new RecordingSurfaceObserver();
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, workers: 2), again, interrupted);
        Assert.Empty(again.Points);
    }

    [Fact]
    public void AFileOfOtherSettingsIsRefusedWithTheDifferencesAndKept()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var file = Path.Combine(checkpoints.NewFolder(), "surface.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 3), new RecordingSurfaceObserver(), file);
        var before = File.ReadAllBytes(file);

        var error = Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, seed: 9), new RecordingSurfaceObserver(), file));
        Assert.Contains(error.Differences, d => d.StartsWith("directions:", StringComparison.Ordinal));
        Assert.Contains(error.Differences, d => d.StartsWith("x:", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(file));

        var restarted = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, seed: 9), new RecordingSurfaceObserver(), file, restart: true);
        Assert.Equal(8, restarted.Grid.PointCount);
    }

    [Fact]
    public void RestartComputesBesideTheFileAndDiscardsAnUnfinishedReplacementOfOtherSettings()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var file = Path.Combine(checkpoints.NewFolder(), "surface.h5");
        var replacement = SurfaceEngine.ReplacementPath(file);
        SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 3), new RecordingSurfaceObserver(), file);
        var before = File.ReadAllBytes(file);

        using (var cancel = new CancellationTokenSource())
        {
            var observer = new RecordingSurfaceObserver(cancel, points: 2);
            Assert.ThrowsAny<OperationCanceledException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, seed: 9), observer, file, restart: true, cancellation: cancel.Token));
        }
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.InRange(SurfaceStore.Read(replacement).ComputedCount, 2, 7);
        Assert.True(File.Exists(SurfaceJournal.PathFor(replacement)));

        var observerOfOther = new RecordingSurfaceObserver();
        var other = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 4, seed: 11), observerOfOther, file, restart: true);

        Assert.Equal(8, observerOfOther.Points.Count);
        Assert.DoesNotContain(observerOfOther.Messages, m => m.StartsWith("Resuming", StringComparison.Ordinal));
        Assert.False(File.Exists(replacement));
        Assert.False(File.Exists(SurfaceJournal.PathFor(replacement)));
        Assert.Equal(11, SurfaceStore.Read(file).Metadata.Directions[0].Recipe.Seed);
        Assert.Equal(other.Values["train_loss"], SurfaceStore.Read(file).Values["train_loss"]);
    }

    [Fact]
    public void EngineLayoutsGiveThePlainEvaluatorsValues()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var request = Request(checkpoint, steps: 4);
        using (var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint))
        using (var data = DatasetCatalog.Load(LandscapeRuntime.Load(), Train))
        using (var evaluator = new SurfaceEvaluator(model, request.X, request.Y))
        {
            var metric = request.EffectiveMetric;
            for (var index = 0; index < request.Grid.PointCount; index++)
            {
                var (alpha, beta) = request.Grid.Coordinates(index);
                evaluator.MoveTo(alpha, beta);
                var expected = metric.Evaluate(model, [data], CancellationToken.None);
                foreach (var fold in new[] { false, true })
                {
                    var actual = SurfaceEngine.Compute(LandscapeRuntime.Load(), request with { FoldBatchNorm = fold, Grid = new SurfaceGrid([alpha], [beta]) }, new RecordingSurfaceObserver());
                    Assert.Equal(expected[0], actual.Values["train_loss"][0], Math.Abs(expected[0]) * 1e-5);
                    Assert.Equal(expected[1], actual.Values["train_acc"][0], 1e-9);
                }
            }
        }
    }

    [Fact]
    public void FoldedSurfaceIsRecordedAndNotResumedAsAnUnfoldedOne()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var file = Path.Combine(checkpoints.NewFolder(), "surface.h5");
        var folded = SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 3) with { FoldBatchNorm = true }, new RecordingSurfaceObserver(), file);
        Assert.True(folded.Metadata.BatchNormFolded);
        Assert.True(SurfaceStore.Read(file).Metadata.BatchNormFolded);

        var error = Assert.Throws<SurfaceSettingsMismatchException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), Request(checkpoint, steps: 3), new RecordingSurfaceObserver(), file));
        Assert.Contains(error.Differences, d => d.StartsWith("batchNormFolded:", StringComparison.Ordinal));
    }

    [Fact]
    public void FoldingIsRefusedForAMetricThatNeedsGradients()
    {
        var checkpoint = checkpoints.Cnn[^1];
        var request = Request(checkpoint, steps: 3) with
        {
            FoldBatchNorm = true,
            Metric = new LossLandscape.Core.Curvature.CurvatureMetric(LossFunction.CrossEntropy, 128, weightsOnly: true, tolerance: 1e-3),
        };
        var error = Assert.Throws<ArgumentException>(() => SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver()));
        Assert.Contains("FoldBatchNorm", error.Message);
    }

    private static (double Loss, double Accuracy) SoftmaxRegression(float[] theta, float[] dx, float[] dy, double alpha, double beta, DatasetArrays data)
    {
        const int classes = 10, inputs = 64;
        var weights = new double[classes * inputs];
        for (var i = 0; i < weights.Length; i++) weights[i] = theta[i] + alpha * dx[i] + beta * dy[i];
        double lossSum = 0;
        var correct = 0;
        var logits = new double[classes];
        for (var n = 0; n < data.Count; n++)
        {
            for (var k = 0; k < classes; k++)
            {
                double z = theta[classes * inputs + k];
                for (var p = 0; p < inputs; p++) z += weights[k * inputs + p] * data.Inputs[n * inputs + p];
                logits[k] = z;
            }
            var max = logits.Max();
            var logSumExp = max + Math.Log(logits.Sum(z => Math.Exp(z - max)));
            lossSum += logSumExp - logits[data.Labels[n]];
            if (Array.IndexOf(logits, max) == data.Labels[n]) correct++;
        }
        return (lossSum / data.Count, 100.0 * correct / data.Count);
    }
}
