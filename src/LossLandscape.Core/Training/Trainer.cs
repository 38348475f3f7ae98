using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using LossLandscape.Core.Common;

namespace LossLandscape.Core.Training;

/// <summary>
/// Trains a zoo model and writes checkpoints: one after every epoch (and the initial one, epoch 0),
/// or, for a run counted in steps, at the steps of its <see cref="CheckpointPlan"/>.
/// Resumable: a rerun with the same options in the same folder continues after the last finished
/// checkpoint and ends with the same bytes as an uninterrupted run. That works because nothing random
/// is carried across steps: the batch order of epoch e is a permutation seeded by (seed, e), step k
/// takes batch k − 1 − (e − 1)·batchesPerEpoch of it, the learning rate is a function of k, and the
/// optimizer state (AdamW's moments and step count included) is saved with the latest checkpoint.
/// The device is not one of the options: like the thread count it may change the last bits but not
/// what the run is, so a run may resume on another device. The model is initialised on the CPU
/// (the same θ₀ everywhere) and then moved.
/// </summary>
public static class Trainer
{
    public const string OptimizerStateExtension = ".optim";

    /// <param name="device">Where the model, the data and the optimizer state live (default: the CPU).</param>
    /// <exception cref="DeviceUnavailableException">No such CUDA device in this process.</exception>
    public static IReadOnlyList<CheckpointInfo> Run(LandscapeRuntime runtime, TrainingOptions options, string outputDirectory, ITrainingObserver observer, bool restart = false, ComputeDevice? device = null, CancellationToken cancellation = default)
    {
        options.Validate();
        device ??= ComputeDevice.Cpu;
        var target = device.ToTorchDevice(runtime);
        var trainArrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, options.Dataset with { Split = DatasetSplit.Train });
        var testArrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, options.Dataset with { Split = DatasetSplit.Test, MaxSamples = null });
        CheckDataFitsModel(options.Model, trainArrays);
        // The weights' last bits depend on the count: the one applied is the one recorded.
        var threads = runtime.ThreadCount;
        runtime.ApplyThreadCount(threads);

        var directory = Path.GetFullPath(outputDirectory);
        if (restart) DeleteRun(directory);

        using var train = new PreloadedDataset(runtime, options.Dataset with { Split = DatasetSplit.Train }, trainArrays, device: device);
        using var test = new PreloadedDataset(runtime, options.Dataset with { Split = DatasetSplit.Test, MaxSamples = null }, testArrays, device: device);
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = options.TotalSteps(batchesPerEpoch);
        var plan = CheckpointPlan.For(options, batchesPerEpoch);
        var finished = FinishedCheckpoints(runtime, options, plan, directory);
        var length = options.CheckpointsByStep ? $"{totalSteps} step(s) ({plan.Count} checkpoints)" : $"{options.Epochs} epoch(s)";
        var optimizerText = options.Optimizer == OptimizerKind.Sgd ? $"{options.Optimizer}" : $"{options.Optimizer} (β {options.Beta1 ?? DefaultBeta1}, {options.Beta2 ?? DefaultBeta2})";
        observer.Verbose($"Training {options.Model.Architecture} on {train.Reference} ({train.Count} samples; test {test.Count}), {length}, batch {options.BatchSize}, {optimizerText} lr {options.LearningRate} ({options.Schedule}, warm-up {options.WarmupSteps} step(s)), weight decay {options.WeightDecay}, seed {options.Seed}, device {device}, into {directory}.");

        var checkpoints = new List<CheckpointInfo>(finished);
        var done = finished.Count - 1;
        foreach (var existing in finished) observer.CheckpointReady(existing, reused: true);
        using var model = CreateSeededModel(runtime, options);
        if (done >= 0) model.load(checkpoints[^1].StatePath, strict: true);
        // Moving may replace the parameter tensors, so the optimizer is made from the moved model.
        if (!device.IsCpu) model.to(target);
        using var optimizer = CreateOptimizer(options, model);

        var stoppedAt = options.StopAt?.FirstStop(finished.Select(c => c.Metadata.TestAccuracy));
        if (done >= 0)
        {
            var last = plan[done];
            if (last.Step > 0)
            {
                optimizer.load_state_dict(OptimizerStatePath(directory, last.Name));
                // State the optimizer had not created yet (SGD's momentum) is read onto the CPU.
                if (!device.IsCpu) optimizer.to(target);
            }
            var complete = done == plan.Count - 1 || stoppedAt is not null;
            observer.Verbose(stoppedAt is not null
                ? $"The run in {directory} stopped early at {last.Label} (test accuracy ≥ {options.StopAt!.TestAccuracy}% on {options.StopAt.Consecutive} consecutive evaluations); nothing to train."
                : complete
                    ? $"All {(last.Epoch is { } epoch ? $"{epoch} epoch(s)" : $"{last.Step} step(s)")} were already in {directory}; nothing to train."
                    : $"Resuming after {last.Label} from {directory}.");
            if (!complete && checkpoints[^1].Metadata.IntraOpThreads is { } before && before != threads)
                observer.Warning($"Resuming after {last.Label} with {threads} intra-op thread(s), but {(last.Epoch is { } e ? $"epochs up to {e}" : $"steps up to {last.Step}")} ran with {before}: "
                    + $"the weights will differ in their last bits from an uninterrupted run (reductions are split by thread). Use -ThreadCount {before} to continue it exactly.");
            if (complete) return checkpoints;
        }
        else
        {
            checkpoints.Add(WriteCheckpoint(runtime, model, optimizer, options, threads, directory, plan[0], previous: null, learningRate: null, (0, 0), train, test, observer));
            done = 0;
        }

        var run = new RunState(options, plan, batchesPerEpoch, totalSteps, threads, directory, checkpoints);
        TrainFrom(runtime, model, optimizer, run, next: done + 1, train, test, observer, cancellation);
        return checkpoints;
    }

    private const double DefaultBeta1 = 0.9;
    private const double DefaultBeta2 = 0.999;

    /// <summary>What stays fixed while a run trains, and the checkpoints it has so far.</summary>
    private sealed record RunState(TrainingOptions Options, IReadOnlyList<PlannedCheckpoint> Plan, int BatchesPerEpoch, long TotalSteps, int Threads, string Directory, List<CheckpointInfo> Checkpoints);

    /// <summary>Takes the steps from the checkpoint before <paramref name="next"/> to the end of the plan or an early stop.</summary>
    private static void TrainFrom(LandscapeRuntime runtime, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, RunState run, int next, PreloadedDataset train, PreloadedDataset test, ITrainingObserver observer, CancellationToken cancellation)
    {
        var (options, plan, batchesPerEpoch) = (run.Options, run.Plan, run.BatchesPerEpoch);
        var testAccuracies = run.Checkpoints.Select(c => c.Metadata.TestAccuracy).ToList();
        var epochs = (int)((run.TotalSteps + batchesPerEpoch - 1) / batchesPerEpoch);
        var taken = plan[next - 1].Step;
        model.train();
        for (var epoch = TrainingOptions.EpochOfStep(taken + 1, batchesPerEpoch); next < plan.Count; epoch++)
        {
            var order = DeterministicShuffle.Permutation(train.Count, DeterministicShuffle.DeriveSeed(options.Seed, epoch));
            var firstStepOfEpoch = (long)(epoch - 1) * batchesPerEpoch;
            var batch = 0;
            double lossSum = 0;
            long seen = 0;
            foreach (var (batchInputs, batchLabels) in train.Batches(options.BatchSize, order))
            {
                using var inputs = batchInputs;
                using var labels = batchLabels;
                batch++;
                var step = firstStepOfEpoch + batch;
                if (step <= taken) continue;
                cancellation.ThrowIfCancellationRequested();
                var learningRate = options.LearningRateAtStep(step, batchesPerEpoch);
                var kept = plan[next - 1].Epoch is null ? plan[next - 1].Label : null;
                var lossValue = TrainStep(model, optimizer, learningRate, inputs, labels, (epoch, batch, kept));
                lossSum += lossValue * labels.shape[0];
                seen += labels.shape[0];
                observer.BatchCompleted(new TrainingProgress(epoch, epochs, batch, batchesPerEpoch, lossSum / seen) { Step = step, Steps = run.TotalSteps, LearningRate = learningRate });
                if (step != plan[next].Step) continue;

                var checkpoint = WriteCheckpoint(runtime, model, optimizer, options, run.Threads, run.Directory, plan[next], plan[next - 1], learningRate, (epoch, batch), train, test, observer);
                run.Checkpoints.Add(checkpoint);
                testAccuracies.Add(checkpoint.Metadata.TestAccuracy);
                if (options.StopAt?.FirstStop(testAccuracies) is not null)
                {
                    observer.Verbose($"Stopping at {plan[next].Label}: test accuracy ≥ {options.StopAt.TestAccuracy}% on {options.StopAt.Consecutive} consecutive evaluation(s).");
                    return;
                }
                if (++next == plan.Count) return;
            }
        }
    }

    private static void CheckDataFitsModel(ModelSpec spec, DatasetArrays data)
    {
        if (TokenDataFit.Problem(spec, data) is { } problem) throw new ArgumentException(problem);
        if (data.IsTokenData) return;
        if (spec.InputChannels != data.Channels || spec.InputHeight != data.Height || spec.InputWidth != data.Width)
            throw new ArgumentException($"The model expects {spec.InputChannels}×{spec.InputHeight}×{spec.InputWidth} inputs but the data set has {data.Channels}×{data.Height}×{data.Width}.");
        if (spec.ClassCount != data.ClassCount)
            throw new ArgumentException($"The model has {spec.ClassCount} outputs but the data set has {data.ClassCount} classes.");
        var badLabel = data.Labels.FirstOrDefault(label => label < 0 || label >= data.ClassCount, -1);
        if (badLabel != -1) throw new ArgumentException($"The data set has a label {badLabel} outside 0..{data.ClassCount - 1}.");
    }

    private static nn.Module<Tensor, Tensor> CreateSeededModel(LandscapeRuntime runtime, TrainingOptions options)
    {
        var model = ModelZoo.Create(runtime, options.Model, options.Seed);
        model.train();
        return model;
    }

    private static OptimizerHelper CreateOptimizer(TrainingOptions options, nn.Module model) => options.Optimizer switch
    {
        OptimizerKind.Sgd => optim.SGD(model.parameters(), options.LearningRate, options.Momentum, dampening: 0, weight_decay: options.WeightDecay, nesterov: options.Nesterov),
        OptimizerKind.Adam => optim.Adam(model.parameters(), options.LearningRate, options.Beta1 ?? DefaultBeta1, options.Beta2 ?? DefaultBeta2, weight_decay: options.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), options.LearningRate, options.Beta1 ?? DefaultBeta1, options.Beta2 ?? DefaultBeta2, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    /// <param name="where">The step's epoch and batch, and the last checkpoint kept where the run is checkpointed by step: what a divergence reports.</param>
    /// <returns>The batch's loss before the step.</returns>
    private static float TrainStep(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, double learningRate, Tensor inputs, Tensor labels, (int Epoch, int Batch, string? LastKept) where)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = Evaluation.Loss(model.forward(inputs), labels, LossFunction.CrossEntropy);
        var lossValue = loss.item<float>();
        if (!float.IsFinite(lossValue)) throw new TrainingDivergedException(where.Epoch, where.Batch, $"the loss became {lossValue}", where.LastKept);
        loss.backward();
        optimizer.step();
        // A finite loss can still take a step to infinite weights; the next loss would show it, but not after the last batch.
        if (!ParametersFinite(model)) throw new TrainingDivergedException(where.Epoch, where.Batch, "the update made some weights non-finite", where.LastKept);
        return lossValue;
    }

    /// <param name="previous">The checkpoint before this one, whose optimizer state this one's replaces.</param>
    /// <param name="learningRate">The learning rate of the step just taken (null before the first).</param>
    /// <param name="taken">The epoch and batch of the step just taken ((0, 0) before the first), for the message should the evaluation diverge.</param>
    private static CheckpointInfo WriteCheckpoint(LandscapeRuntime runtime, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, TrainingOptions options, int threads, string directory, PlannedCheckpoint planned, PlannedCheckpoint? previous, double? learningRate, (int Epoch, int Batch) taken, PreloadedDataset train, PreloadedDataset test, ITrainingObserver observer)
    {
        var (trainLoss, trainAccuracy) = Evaluation.Evaluate(model, train);
        var (testLoss, testAccuracy) = Evaluation.Evaluate(model, test);
        // Finite weights can still give an infinite loss (BatchNorm statistics overflowing); it could not be recorded.
        if (!double.IsFinite(trainLoss) || !double.IsFinite(testLoss))
            throw planned.Epoch is null
                ? new TrainingDivergedException(taken.Epoch, taken.Batch, $"the train loss at {planned.Label} is {trainLoss} and the test loss {testLoss}", previous?.Label)
                : new TrainingDivergedException(taken.Epoch, batch: null, $"the train loss is {trainLoss} and the test loss {testLoss}");

        // The optimizer state goes first: a checkpoint's JSON, written last, marks it as resumable.
        var optimizerPath = OptimizerStatePath(directory, planned.Name);
        if (planned.Step > 0) AtomicFile.WriteVia(optimizerPath, optimizer.save_state_dict);

        var metadata = new CheckpointMetadata
        {
            Model = options.Model,
            StateFile = planned.Name + CheckpointStore.StateExtension,
            StateSha256 = "",
            Epoch = planned.Epoch,
            Step = planned.Epoch is null ? planned.Step : null,
            Dataset = options.Dataset with { Split = DatasetSplit.Train },
            Training = options,
            LearningRate = learningRate,
            TrainLoss = trainLoss,
            TrainAccuracy = trainAccuracy,
            TestLoss = testLoss,
            TestAccuracy = testAccuracy,
            IntraOpThreads = threads,
        };
        var checkpoint = CheckpointStore.WriteWithSideFile(runtime, model, metadata, directory, planned.Name, optimizerPath);
        if (previous is { Step: > 0 }) File.Delete(OptimizerStatePath(directory, previous.Name));
        var rate = learningRate is { } r ? $"lr {r:G4}, " : "";
        var where = planned.Epoch is { } named ? $"Epoch {named}" : $"Step {planned.Step}";
        observer.Verbose($"{where}: {rate}train loss {trainLoss:F4}, acc {trainAccuracy:F2}%; test loss {testLoss:F4}, acc {testAccuracy:F2}% → {checkpoint.StatePath}");
        observer.CheckpointReady(checkpoint, reused: false);
        return checkpoint;
    }

    /// <summary>
    /// The checkpoints of <paramref name="plan"/> (in order) a run with these options already finished in
    /// <paramref name="directory"/>; empty when it holds none.
    /// </summary>
    /// <exception cref="TrainingDirectoryConflictException">The folder holds checkpoints of a different run, or cannot be resumed exactly.</exception>
    private static List<CheckpointInfo> FinishedCheckpoints(LandscapeRuntime runtime, TrainingOptions options, IReadOnlyList<PlannedCheckpoint> plan, string directory)
    {
        var finished = new List<CheckpointInfo>();
        if (!Directory.Exists(directory)) return finished;
        var wanted = JsonSerializer.Serialize(options, CheckpointStore.JsonOptions);
        foreach (var planned in plan)
        {
            var metadataPath = Path.Combine(directory, planned.Name + CheckpointStore.MetadataExtension);
            if (!File.Exists(metadataPath)) break;
            var checkpoint = CheckpointStore.Read(runtime, metadataPath);
            var training = checkpoint.Metadata.Training;
            if (training is not null && options.LengthMayGrow) training = training with { Epochs = options.Epochs };
            var found = training is null ? "" : JsonSerializer.Serialize(training, CheckpointStore.JsonOptions);
            if (found != wanted) throw DifferentRun(directory, Path.GetFileName(metadataPath));
            finished.Add(checkpoint);
        }
        // A run named the other way (by epoch, by step) has none of this plan's names but is no less another run.
        if (finished.Count == 0 && RunFiles(directory, CheckpointStore.MetadataExtension).FirstOrDefault() is { } other)
            throw DifferentRun(directory, Path.GetFileName(other));
        var last = finished.Count - 1;
        if (last > 0 && !File.Exists(OptimizerStatePath(directory, plan[last].Name)))
            throw new TrainingDirectoryConflictException(directory, $"'{directory}' holds checkpoints up to {plan[last].Label} of this run but not its optimizer state ({plan[last].Name}{OptimizerStateExtension}), so it cannot resume exactly. Restart to train from scratch.");
        return finished;
    }

    private static TrainingDirectoryConflictException DifferentRun(string directory, string file) =>
        new(directory, $"'{directory}' already holds checkpoints of a different training run ({file}). Choose another output directory, or restart to overwrite them.");

    private static IEnumerable<string> RunFiles(string directory, string extension) =>
        new[] { "epoch-*", "step-*" }.SelectMany(prefix => Directory.EnumerateFiles(directory, prefix + extension));

    private static void DeleteRun(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var extension in new[] { CheckpointStore.StateExtension, CheckpointStore.MetadataExtension, OptimizerStateExtension })
        {
            foreach (var file in RunFiles(directory, extension).ToList()) File.Delete(file);
        }
    }

    private static bool ParametersFinite(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().All(parameter => parameter.isfinite().all().item<bool>());
    }

    private static string OptimizerStatePath(string directory, string checkpointName) =>
        Path.Combine(directory, checkpointName + OptimizerStateExtension);
}
