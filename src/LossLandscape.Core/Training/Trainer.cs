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
/// Trains a zoo model and writes a checkpoint after every epoch (and the initial one, epoch 0).
/// Resumable: a rerun with the same options in the same folder continues after the last finished
/// epoch and ends with the same bytes as an uninterrupted run. That works because nothing random
/// is carried across epochs: the batch order of epoch e is a permutation seeded by (seed, e), the
/// learning rate is a function of e, and the optimizer state is saved with the checkpoint.
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
        var finished = FinishedCheckpoints(runtime, options, directory);

        using var train = new PreloadedDataset(runtime, options.Dataset with { Split = DatasetSplit.Train }, trainArrays, device: device);
        using var test = new PreloadedDataset(runtime, options.Dataset with { Split = DatasetSplit.Test, MaxSamples = null }, testArrays, device: device);
        observer.Verbose($"Training {options.Model.Architecture} on {train.Reference} ({train.Count} samples; test {test.Count}), {options.Epochs} epoch(s), batch {options.BatchSize}, {options.Optimizer} lr {options.LearningRate}, seed {options.Seed}, device {device}, into {directory}.");

        var checkpoints = new List<CheckpointInfo>(finished);
        var done = finished.Count - 1;
        foreach (var existing in finished) observer.CheckpointReady(existing, reused: true);
        using var model = CreateSeededModel(runtime, options);
        if (done >= 0) model.load(checkpoints[^1].StatePath, strict: true);
        // Moving may replace the parameter tensors, so the optimizer is made from the moved model.
        if (!device.IsCpu) model.to(target);
        using var optimizer = CreateOptimizer(options, model);

        if (done >= 0)
        {
            if (done > 0)
            {
                optimizer.load_state_dict(OptimizerStatePath(directory, done));
                // State the optimizer had not created yet (SGD's momentum) is read onto the CPU.
                if (!device.IsCpu) optimizer.to(target);
            }
            observer.Verbose(done == options.Epochs
                ? $"All {done} epoch(s) were already in {directory}; nothing to train."
                : $"Resuming after epoch {done} from {directory}.");
            if (done < options.Epochs && checkpoints[^1].Metadata.IntraOpThreads is { } before && before != threads)
                observer.Warning($"Resuming after epoch {done} with {threads} intra-op thread(s), but epochs up to {done} ran with {before}: "
                    + $"the weights will differ in their last bits from an uninterrupted run (reductions are split by thread). Use -ThreadCount {before} to continue it exactly.");
        }
        else
        {
            checkpoints.Add(WriteCheckpoint(runtime, model, optimizer, options, threads, directory, epoch: 0, train, test, observer));
        }

        for (var epoch = Math.Max(done, 0) + 1; epoch <= options.Epochs; epoch++)
        {
            TrainEpoch(model, optimizer, options, train, epoch, observer, cancellation);
            checkpoints.Add(WriteCheckpoint(runtime, model, optimizer, options, threads, directory, epoch, train, test, observer));
        }
        return checkpoints;
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
        OptimizerKind.Adam => optim.Adam(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    private static void TrainEpoch(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, TrainingOptions options, PreloadedDataset train, int epoch, ITrainingObserver observer, CancellationToken cancellation)
    {
        var learningRate = options.LearningRateAt(epoch);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        model.train();

        var order = DeterministicShuffle.Permutation(train.Count, DeterministicShuffle.DeriveSeed(options.Seed, epoch));
        var batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var batch = 0;
        double lossSum = 0;
        long seen = 0;
        foreach (var (batchInputs, batchLabels) in train.Batches(options.BatchSize, order))
        {
            using var inputs = batchInputs;
            using var labels = batchLabels;
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = Evaluation.Loss(model.forward(inputs), labels, LossFunction.CrossEntropy);
            var lossValue = loss.item<float>();
            if (!float.IsFinite(lossValue)) throw new TrainingDivergedException(epoch, batch + 1, $"the loss became {lossValue}");
            loss.backward();
            optimizer.step();

            batch++;
            // A finite loss can still take a step to infinite weights; the next loss would show it, but not after the last batch.
            if (!ParametersFinite(model)) throw new TrainingDivergedException(epoch, batch, "the update made some weights non-finite");
            lossSum += lossValue * labels.shape[0];
            seen += labels.shape[0];
            observer.BatchCompleted(new TrainingProgress(epoch, options.Epochs, batch, batches, lossSum / seen));
        }
    }

    private static CheckpointInfo WriteCheckpoint(LandscapeRuntime runtime, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, TrainingOptions options, int threads, string directory, int epoch, PreloadedDataset train, PreloadedDataset test, ITrainingObserver observer)
    {
        var (trainLoss, trainAccuracy) = Evaluation.Evaluate(model, train);
        var (testLoss, testAccuracy) = Evaluation.Evaluate(model, test);
        // Finite weights can still give an infinite loss (BatchNorm statistics overflowing); it could not be recorded.
        if (!double.IsFinite(trainLoss) || !double.IsFinite(testLoss))
            throw new TrainingDivergedException(epoch, batch: null, $"the train loss is {trainLoss} and the test loss {testLoss}");
        var name = CheckpointStore.EpochFileName(epoch);

        // The optimizer state goes first: a checkpoint's JSON, written last, marks the epoch as resumable.
        var optimizerPath = OptimizerStatePath(directory, epoch);
        if (epoch > 0) AtomicFile.WriteVia(optimizerPath, optimizer.save_state_dict);

        var metadata = new CheckpointMetadata
        {
            Model = options.Model,
            StateFile = name + CheckpointStore.StateExtension,
            StateSha256 = "",
            Epoch = epoch,
            Dataset = options.Dataset with { Split = DatasetSplit.Train },
            Training = options,
            LearningRate = epoch == 0 ? null : options.LearningRateAt(epoch),
            TrainLoss = trainLoss,
            TrainAccuracy = trainAccuracy,
            TestLoss = testLoss,
            TestAccuracy = testAccuracy,
            IntraOpThreads = threads,
        };
        var checkpoint = CheckpointStore.WriteWithSideFile(runtime, model, metadata, directory, name, optimizerPath);
        if (epoch > 1) File.Delete(OptimizerStatePath(directory, epoch - 1));
        observer.Verbose($"Epoch {epoch}: train loss {trainLoss:F4}, acc {trainAccuracy:F2}%; test loss {testLoss:F4}, acc {testAccuracy:F2}% → {checkpoint.StatePath}");
        observer.CheckpointReady(checkpoint, reused: false);
        return checkpoint;
    }

    /// <summary>
    /// The checkpoints (epochs 0, 1, …) a run with these options already finished in
    /// <paramref name="directory"/>; empty when it holds none.
    /// </summary>
    /// <exception cref="TrainingDirectoryConflictException">The folder holds checkpoints of a different run, or cannot be resumed exactly.</exception>
    private static List<CheckpointInfo> FinishedCheckpoints(LandscapeRuntime runtime, TrainingOptions options, string directory)
    {
        var finished = new List<CheckpointInfo>();
        if (!Directory.Exists(directory)) return finished;
        var wanted = JsonSerializer.Serialize(options, CheckpointStore.JsonOptions);
        for (var epoch = 0; epoch <= options.Epochs; epoch++)
        {
            var metadataPath = Path.Combine(directory, CheckpointStore.EpochFileName(epoch) + CheckpointStore.MetadataExtension);
            if (!File.Exists(metadataPath)) break;
            var checkpoint = CheckpointStore.Read(runtime, metadataPath);
            var training = checkpoint.Metadata.Training;
            var found = training is null ? "" : JsonSerializer.Serialize(training with { Epochs = options.Epochs }, CheckpointStore.JsonOptions);
            if (found != wanted)
                throw new TrainingDirectoryConflictException(directory, $"'{directory}' already holds checkpoints of a different training run ({Path.GetFileName(metadataPath)}). Choose another output directory, or restart to overwrite them.");
            finished.Add(checkpoint);
        }
        var last = finished.Count - 1;
        if (last > 0 && !File.Exists(OptimizerStatePath(directory, last)))
            throw new TrainingDirectoryConflictException(directory, $"'{directory}' holds epochs 0..{last} of this run but not the optimizer state of epoch {last} ({CheckpointStore.EpochFileName(last)}{OptimizerStateExtension}), so it cannot resume exactly. Restart to train from scratch.");
        return finished;
    }

    private static void DeleteRun(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var pattern in new[] { "epoch-*" + CheckpointStore.StateExtension, "epoch-*" + CheckpointStore.MetadataExtension, "epoch-*" + OptimizerStateExtension })
        {
            foreach (var file in Directory.EnumerateFiles(directory, pattern)) File.Delete(file);
        }
    }

    private static bool ParametersFinite(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().All(parameter => parameter.isfinite().all().item<bool>());
    }

    private static string OptimizerStatePath(string directory, int epoch) =>
        Path.Combine(directory, CheckpointStore.EpochFileName(epoch) + OptimizerStateExtension);
}
