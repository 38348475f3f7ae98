using System.Security.Cryptography;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Training;

/// <summary>
/// Runs counted in steps: the checkpoints they write, AdamW's updates against a hand-written
/// float64 AdamW, an interrupted run that resumes bit for bit, and the early stop.
/// </summary>
public sealed class StepTrainingTests : IDisposable
{
    // 300 samples in batches of 64: 5 steps per epoch, the last batch of 44.
    private static readonly DatasetReference Data = new("Digits", MaxSamples: 300, SubsetSeed: 4);

    private static readonly TrainingOptions AdamWRun = new()
    {
        Model = ModelZoo.DefaultSpec("Mlp"),
        Dataset = Data,
        Optimizer = OptimizerKind.AdamW,
        LearningRate = 1e-2,
        Beta2 = 0.98,
        WeightDecay = 1,
        WarmupSteps = 4,
        Steps = 23,
        CheckpointEvery = 7,
        Seed = 5,
    };

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("losslandscape-steps-");
    private readonly LandscapeRuntime runtime = LandscapeRuntime.Load();

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void CheckpointEveryWritesExactlyTheStepFilesAndTheLastOptimizerState()
    {
        var run = Path.Combine(folder.FullName, "every");

        var checkpoints = Trainer.Run(runtime, AdamWRun, run, new RecordingObserver());

        Assert.Equal([0L, 7, 14, 21, 23], checkpoints.Select(c => c.Metadata.Step!.Value));
        Assert.All(checkpoints, c => Assert.Null(c.Metadata.Epoch));
        string[] expected = [.. new[] { 0, 7, 14, 21, 23 }.SelectMany(step => new[] { $"step-{step:D6}.dat", $"step-{step:D6}.json" }), "step-000023.optim"];
        Assert.Equal(expected.Order(), Directory.GetFiles(run).Select(Path.GetFileName).Order());
        // Step 7 is past the 4-step warm-up: the full rate; step 0 took none.
        Assert.Null(checkpoints[0].Metadata.LearningRate);
        Assert.Equal(1e-2, checkpoints[1].Metadata.LearningRate);
        Assert.Equal(23, checkpoints[^1].Metadata.Training!.Steps);
    }

    [Fact]
    public void AdamWStepsEqualAHandWrittenDecoupledAdamWInFloat64()
    {
        // A linear softmax model and a rate big enough that each update is far above float32's rounding of the weights.
        var options = AdamWRun with { Model = ModelZoo.DefaultSpec("Mlp") with { HiddenWidths = [] }, LearningRate = 0.3, Beta1 = 0.8, WeightDecay = 0.5, WarmupSteps = 2, Steps = 3, CheckpointEvery = 1 };
        var checkpoints = Trainer.Run(runtime, options, Path.Combine(folder.FullName, "adamw"), new RecordingObserver());

        var arrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, Data with { Split = DatasetSplit.Train });
        using var train = new PreloadedDataset(runtime, Data with { Split = DatasetSplit.Train }, arrays);
        var order = DeterministicShuffle.Permutation(train.Count, DeterministicShuffle.DeriveSeed(options.Seed, 1));
        double[][]? m = null, v = null;
        for (var step = 1; step <= 3; step++)
        {
            var before = Weights(checkpoints[step - 1]);
            var gradients = Gradients(checkpoints[step - 1], train, order, batchIndex: step - 1);
            m ??= gradients.Select(g => new double[g.Length]).ToArray();
            v ??= gradients.Select(g => new double[g.Length]).ToArray();
            var rate = 0.3 * Math.Min(1.0, step / 2.0);
            var expected = new double[before.Length][];
            for (var p = 0; p < before.Length; p++)
            {
                expected[p] = new double[before[p].Length];
                for (var i = 0; i < before[p].Length; i++)
                {
                    var g = gradients[p][i];
                    m[p][i] = 0.8 * m[p][i] + 0.2 * g;
                    v[p][i] = 0.98 * v[p][i] + 0.02 * g * g;
                    var mHat = m[p][i] / (1 - Math.Pow(0.8, step));
                    var vHat = v[p][i] / (1 - Math.Pow(0.98, step));
                    expected[p][i] = before[p][i] * (1 - rate * 0.5) - rate * mHat / (Math.Sqrt(vHat) + 1e-8);
                }
            }

            var after = Weights(checkpoints[step]);
            for (var p = 0; p < before.Length; p++)
            {
                var scale = expected[p].Zip(before[p], (e, b) => Math.Abs(e - b)).Max();
                Assert.True(scale > 0.05, $"step {step}: the update is too small to test ({scale})");
                var error = expected[p].Zip(after[p], (e, a) => Math.Abs(e - a)).Max();
                Assert.True(error <= 1e-6 * scale + 1e-7, $"step {step}, tensor {p}: |trainer − float64 AdamW| = {error}, update {scale}");
            }
        }
    }

    [Fact]
    public void AStepRunStoppedBetweenCheckpointsResumesToTheSameBytes()
    {
        var interrupted = Path.Combine(folder.FullName, "interrupted");
        var uninterrupted = Path.Combine(folder.FullName, "uninterrupted");
        using var stop = new CancellationTokenSource();
        // Step 17 is in epoch 4, between the checkpoints of steps 14 and 21.
        var stopping = new RecordingObserver { AfterStep = (17, stop) };

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(runtime, AdamWRun, interrupted, stopping, cancellation: stop.Token));
        Assert.True(File.Exists(Path.Combine(interrupted, "step-000014.optim")));
        Assert.False(File.Exists(Path.Combine(interrupted, "step-000021.json")));

        var resumedObserver = new RecordingObserver();
        var resumed = Trainer.Run(runtime, AdamWRun, interrupted, resumedObserver);
        Assert.Contains(resumedObserver.Messages, m => m.StartsWith("Resuming after step 14 ", StringComparison.Ordinal));
        Assert.Equal(3, resumedObserver.Reused);
        Assert.Equal(15, resumedObserver.FirstStepTaken);
        Trainer.Run(runtime, AdamWRun, uninterrupted, new RecordingObserver());

        Assert.Equal(Hashes(uninterrupted), Hashes(interrupted));
        Assert.Equal(11, Hashes(uninterrupted).Count);
        Assert.Equal(23, resumed[^1].Metadata.Step);
    }

    [Fact]
    public void EarlyStopEndsAtTheFirstOfTwoConsecutiveEvaluationsAboveTheThresholdAndARerunTrainsNothing()
    {
        var options = AdamWRun with { Steps = 300, CheckpointEvery = 2, StopAt = new EarlyStop(85) };
        var run = Path.Combine(folder.FullName, "stop");

        var checkpoints = Trainer.Run(runtime, options, run, new RecordingObserver());

        var accuracies = checkpoints.Select(c => c.Metadata.TestAccuracy!.Value).ToArray();
        var last = checkpoints[^1].Metadata.Step!.Value;
        Assert.True(last < 300, "the run never reached 85 % twice in a row, so the stop was not tested");
        // Read back: the rule holds at the last checkpoint and at none before it.
        Assert.True(accuracies[^1] >= 85 && accuracies[^2] >= 85);
        var firstHeld = Enumerable.Range(1, accuracies.Length - 1).First(i => accuracies[i - 1] >= 85 && accuracies[i] >= 85);
        Assert.Equal(accuracies.Length - 1, firstHeld);
        Assert.Equal(2L * firstHeld, last);
        Assert.Equal(last, checkpoints.Count * 2L - 2);

        var files = Hashes(run);
        var again = new RecordingObserver();
        var rerun = Trainer.Run(runtime, options, run, again);
        Assert.Equal(checkpoints.Count, again.Reused);
        Assert.Null(again.FirstStepTaken);
        Assert.Contains(again.Messages, m => m.Contains($"stopped early at step {last}", StringComparison.Ordinal));
        Assert.Equal(checkpoints.Select(c => c.Metadata.StateSha256), rerun.Select(c => c.Metadata.StateSha256));
        Assert.Equal(files, Hashes(run));
    }

    [Fact]
    public void AStepRunIsRefusedInAFolderOfAnEpochRunAndTheLengthIsPartOfTheRun()
    {
        var run = Path.Combine(folder.FullName, "mixed");
        Trainer.Run(runtime, AdamWRun with { Steps = 0, CheckpointEvery = 0, Epochs = 1 }, run, new RecordingObserver());

        Assert.Throws<TrainingDirectoryConflictException>(() => Trainer.Run(runtime, AdamWRun, run, new RecordingObserver()));
        var restarted = Trainer.Run(runtime, AdamWRun, run, new RecordingObserver(), restart: true);
        Assert.Equal(5, restarted.Count);
        Assert.DoesNotContain(Directory.GetFiles(run), f => Path.GetFileName(f).StartsWith("epoch-", StringComparison.Ordinal));
        Assert.Throws<TrainingDirectoryConflictException>(() => Trainer.Run(runtime, AdamWRun with { Steps = 30 }, run, new RecordingObserver()));
    }

    [Fact]
    public void ADivergedStepRunNamesTheLastStepCheckpointItKept()
    {
        var run = Path.Combine(folder.FullName, "diverged");
        var options = AdamWRun with { Optimizer = OptimizerKind.Sgd, Beta2 = null, LearningRate = 1e30, WarmupSteps = 0, CheckpointEvery = 1 };

        var error = Assert.Throws<TrainingDivergedException>(() => Trainer.Run(runtime, options, run, new RecordingObserver()));

        var kept = Directory.GetFiles(run, "*.json").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.NotEmpty(kept);
        var lastKept = long.Parse(kept[^1]!["step-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.EndsWith($"Checkpoints up to step {lastKept} are kept; lower the learning rate.", error.Message);
        // The step that diverged is the one after the last kept: epoch 1, batch lastKept + 1 of 5.
        Assert.Equal((1, (int)lastKept + 1), (error.Epoch, error.Batch!.Value));
    }

    private static double[][] Weights(CheckpointInfo checkpoint)
    {
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint);
        return model.parameters().Select(p => p.to_type(ScalarType.Float64).data<double>().ToArray()).ToArray();
    }

    /// <summary>The gradient of the batch at <paramref name="batchIndex"/> of the epoch's order, at the checkpoint's weights, in float32 as the trainer computes it.</summary>
    private static double[][] Gradients(CheckpointInfo checkpoint, PreloadedDataset train, int[] order, int batchIndex)
    {
        using var model = CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoint);
        model.train();
        var index = 0;
        foreach (var (batchInputs, batchLabels) in train.Batches(64, order))
        {
            using var inputs = batchInputs;
            using var labels = batchLabels;
            if (index++ != batchIndex) continue;
            using var scope = NewDisposeScope();
            nn.functional.cross_entropy(model.Forward(inputs), labels).backward();
            return model.parameters().Select(p => p.grad!.to_type(ScalarType.Float64).data<double>().ToArray()).ToArray();
        }
        throw new ArgumentOutOfRangeException(nameof(batchIndex));
    }

    private static SortedDictionary<string, string> Hashes(string directory) =>
        new(Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private sealed class RecordingObserver : ITrainingObserver
    {
        public (long Step, CancellationTokenSource Source)? AfterStep { get; init; }

        public List<string> Messages { get; } = [];

        public int Reused { get; private set; }

        public long? FirstStepTaken { get; private set; }

        public void BatchCompleted(TrainingProgress progress)
        {
            FirstStepTaken ??= progress.Step;
            if (AfterStep is { } after && progress.Step == after.Step) after.Source.Cancel();
        }

        public void CheckpointReady(CheckpointInfo checkpoint, bool reused)
        {
            if (reused) Reused++;
        }

        public void Verbose(string message) => Messages.Add(message);
    }
}
