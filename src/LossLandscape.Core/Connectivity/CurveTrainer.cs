using System.Runtime.InteropServices;
using System.Text.Json;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Common;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Training;
using static TorchSharp.torch;

namespace LossLandscape.Core.Connectivity;

/// <summary>
/// Trains the bend of a curve between two fixed checkpoints as Garipov et al. (NeurIPS 2018) do:
/// the bend starts at (θ_A + θ_B)/2; each minibatch draws one t ~ U(0, 1), places the model at φ(t)
/// and takes an SGD step (momentum, weight decay on the bend only) along
/// ∂L(φ(t))/∂θ_bend = Bend(t)·∇L(φ(t)) (<see cref="Curve"/>). BatchNorm normalizes each batch with its
/// own statistics, as in training; the running statistics are no part of the curve. A saved bend
/// (bend-000 for the start, then one per epoch) carries statistics recomputed at its own weights
/// (<see cref="BatchNormLayers.Recompute"/>), so that the file is a working model; along the curve
/// they are recomputed at every t instead (<see cref="CurveEvaluation"/>).
/// Resumable like <see cref="Trainer"/>: the batch order and the t of epoch e are seeded by (seed, e),
/// and the momentum is saved beside each bend.
/// </summary>
public static class CurveTrainer
{
    public const string MomentumExtension = ".momentum";

    public static string BendFileName(int epoch) => $"bend-{epoch:D3}";

    /// <returns>The bends, from the initial midpoint (epoch 0) to the last epoch's.</returns>
    /// <exception cref="ArgumentException">An option is invalid, or the checkpoints are not the options' endpoints of one architecture.</exception>
    /// <exception cref="TrainingDirectoryConflictException">The folder holds bends of another run.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the bend stopped being finite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired; finished epochs are kept.</exception>
    public static IReadOnlyList<CheckpointInfo> Run(LandscapeRuntime runtime, CurveTrainingOptions options, CheckpointInfo start, CheckpointInfo target, string outputDirectory, ITrainingObserver observer, bool restart = false, CancellationToken cancellation = default)
    {
        options.Validate();
        CheckEndpoints(runtime, options, start, target);
        var trainReference = options.Dataset with { Split = DatasetSplit.Train };
        var arrays = DatasetCatalog.LoadArrays(runtime.DatasetCache, trainReference);
        var threads = runtime.ThreadCount;
        runtime.ApplyThreadCount(threads);

        var directory = Path.GetFullPath(outputDirectory);
        if (restart) DeleteRun(directory);
        var finished = FinishedBends(runtime, options, directory);
        foreach (var existing in finished) observer.CheckpointReady(existing, reused: true);

        using var train = new PreloadedDataset(runtime, trainReference, arrays);
        using var model = CheckpointStore.LoadModel(runtime, start);
        using var targetModel = CheckpointStore.LoadModel(runtime, target);
        var layout = ParameterLayout.Of(model);
        using var origin = tensor(layout.FlattenParameters(model));
        using var along = tensor(layout.FlattenParameters(targetModel)).sub_(origin);
        var done = finished.Count - 1;
        using var bend = done >= 0 ? FlatParameters(runtime, layout, finished[^1]) : origin.add(along, alpha: 0.5);
        using var momentum = done > 0 ? tensor(ReadMomentum(directory, done, layout.ParameterLength)) : zeros_like(bend);
        if (done >= 0) observer.Verbose(done == options.Epochs ? $"All {done} epoch(s) of the curve were already in {directory}; nothing to train." : $"Resuming the curve after epoch {done} from {directory}.");
        observer.Verbose($"Training the bend of a {options.Curve} curve from {start.Name} to {target.Name} on {train.Reference} ({train.Count} samples), {options.Epochs} epoch(s), batch {options.BatchSize}, SGD lr {options.LearningRate} momentum {options.Momentum}, weight decay {options.WeightDecay} on the bend, seed {options.Seed}, into {directory}.");

        var checkpoints = new List<CheckpointInfo>(finished);
        if (done < 0) checkpoints.Add(WriteBend(runtime, model, layout, bend, null, options, start, threads, directory, 0, train, observer));
        for (var epoch = Math.Max(done, 0) + 1; epoch <= options.Epochs; epoch++)
        {
            TrainEpoch(model, layout, origin, along, bend, momentum, options, train, epoch, observer, cancellation);
            checkpoints.Add(WriteBend(runtime, model, layout, bend, momentum, options, start, threads, directory, epoch, train, observer));
        }
        return checkpoints;
    }

    /// <summary>
    /// The batch-mean loss at φ(t) and its gradient with respect to the bend, by the chain rule: the
    /// model is placed at φ(t), autograd gives ∇L(φ(t)), and ∂φ/∂θ_bend = Bend(t) scales it. The model's
    /// parameters are left at φ(t), their gradients at ∇L(φ(t)). Works in the model's dtype.
    /// </summary>
    /// <param name="origin">θ_A, flat in <paramref name="layout"/> order.</param>
    /// <param name="along">θ_B − θ_A.</param>
    /// <param name="bend">θ_bend.</param>
    /// <returns>The loss and ∂L(φ(t))/∂θ_bend (flat, a new tensor).</returns>
    public static (double Loss, Tensor Gradient) BendGradient(nn.Module model, ParameterLayout layout, Tensor origin, Tensor along, Tensor bend, CurveKind kind, double t, Tensor inputs, Tensor labels, LossFunction lossFunction = LossFunction.CrossEntropy)
    {
        var (alongWeight, bendWeight) = Curve.Coefficients(kind, t);
        var parameters = model.parameters().ToArray();
        using (var scope = NewDisposeScope())
        {
            PlaceAt(parameters, layout, origin, along, bend, alongWeight, bendWeight);
        }
        model.zero_grad();
        using var lossScope = NewDisposeScope();
        var loss = Evaluation.Loss(model.Forward(inputs), labels, lossFunction);
        loss.backward();
        var gradient = cat(parameters.Select(p => p.grad is { } g ? g.flatten() : zeros_like(p).flatten()).ToArray()).mul_(bendWeight);
        return (loss.to(float64).item<double>(), gradient.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// φ = θ_A + (Along·(θ_B − θ_A) + Bend·(θ_bend − θ_A)): the arithmetic of <see cref="Surfaces.SurfaceEvaluator"/>
    /// with the directions θ_B − θ_A and θ_bend − θ_A, so a point of the curve evaluated in that plane is the same point.
    /// </summary>
    private static void PlaceAt(Tensor[] parameters, ParameterLayout layout, Tensor origin, Tensor along, Tensor bend, double alongWeight, double bendWeight)
    {
        using var noGrad = no_grad();
        CopyInto(parameters, layout, origin.add(along.mul(alongWeight).add(bend.sub(origin).mul(bendWeight))));
    }

    private static void CopyInto(Tensor[] parameters, ParameterLayout layout, Tensor flat)
    {
        foreach (var (parameter, entry) in parameters.Zip(layout.Parameters))
        {
            parameter.copy_(flat.narrow(0, entry.Offset, entry.Length).view(entry.Shape));
        }
    }

    private static void TrainEpoch(nn.Module model, ParameterLayout layout, Tensor origin, Tensor along, Tensor bend, Tensor momentum, CurveTrainingOptions options, PreloadedDataset train, int epoch, ITrainingObserver observer, CancellationToken cancellation)
    {
        model.train();
        var epochSeed = DeterministicShuffle.DeriveSeed(options.Seed, epoch);
        var order = DeterministicShuffle.Permutation(train.Count, epochSeed);
        // A stream of its own, so the t drawn do not depend on how the permutation consumed its generator.
        var tState = unchecked((ulong)DeterministicShuffle.DeriveSeed(epochSeed, 1));
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
            // 53 random bits: uniform on [0, 1).
            var t = (DeterministicShuffle.NextUInt64(ref tState) >> 11) * (1.0 / (1UL << 53));
            var (loss, gradient) = BendGradient(model, layout, origin, along, bend, options.Curve, t, inputs, labels);
            batch++;
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, batch, $"the loss at t = {t:G4} became {loss}");
            using (no_grad())
            {
                // torch.optim.SGD with dampening 0: g + λθ into the momentum buffer, then θ −= lr·buffer.
                gradient.add_(bend, alpha: options.WeightDecay);
                momentum.mul_(options.Momentum).add_(gradient);
                bend.add_(momentum, alpha: -options.LearningRate);
            }
            if (!bend.isfinite().all().item<bool>()) throw new TrainingDivergedException(epoch, batch, "the update made some of the bend's weights non-finite");
            lossSum += loss * labels.shape[0];
            seen += labels.shape[0];
            observer.BatchCompleted(new TrainingProgress(epoch, options.Epochs, batch, batches, lossSum / seen));
        }
        observer.Verbose($"Epoch {epoch}: mean train loss along the curve {lossSum / seen:F4} (one t per batch).");
    }

    private static CheckpointInfo WriteBend(LandscapeRuntime runtime, nn.Module model, ParameterLayout layout, Tensor bend, Tensor? momentum, CurveTrainingOptions options, CheckpointInfo start, int threads, string directory, int epoch, PreloadedDataset train, ITrainingObserver observer)
    {
        using (NewDisposeScope())
        using (no_grad())
        {
            CopyInto(model.parameters().ToArray(), layout, bend);
        }
        if (BatchNormLayers.Of(model).Length > 0) BatchNormLayers.Recompute(model, train, options.BatchSize, batchCount: null);
        var name = BendFileName(epoch);
        // The momentum goes first: a bend's JSON, written last, marks the epoch as resumable.
        var momentumPath = MomentumPath(directory, epoch);
        if (momentum is not null)
        {
            Directory.CreateDirectory(directory);
            AtomicFile.WriteAllBytes(momentumPath, MemoryMarshal.AsBytes(momentum.data<float>().ToArray().AsSpan()).ToArray());
        }
        var metadata = new CheckpointMetadata
        {
            Model = start.Metadata.Model,
            StateFile = name + CheckpointStore.StateExtension,
            StateSha256 = "",
            Epoch = epoch,
            Dataset = options.Dataset with { Split = DatasetSplit.Train },
            CurveTraining = options,
            LearningRate = epoch == 0 ? null : options.LearningRate,
            IntraOpThreads = threads,
        };
        var checkpoint = CheckpointStore.WriteWithSideFile(runtime, model, metadata, directory, name, momentumPath);
        if (epoch > 1) File.Delete(MomentumPath(directory, epoch - 1));
        model.train();
        observer.Verbose($"Bend of epoch {epoch} → {checkpoint.StatePath}");
        observer.CheckpointReady(checkpoint, reused: false);
        return checkpoint;
    }

    private static void CheckEndpoints(LandscapeRuntime runtime, CurveTrainingOptions options, CheckpointInfo start, CheckpointInfo target)
    {
        if (!string.Equals(start.Metadata.StateSha256, options.StartSha256, StringComparison.OrdinalIgnoreCase) || !string.Equals(target.Metadata.StateSha256, options.TargetSha256, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The checkpoints are not the endpoints the options name (their states' SHA-256 differ).");
        if (start.Format == CheckpointFormat.TorchScript || target.Format == CheckpointFormat.TorchScript)
            throw new ArgumentException("A curve is trained between checkpoints of a zoo architecture; a TorchScript module cannot be saved as a bend.");
        var first = ParameterLayout.Of(runtime, start).Parameters.Select(p => (p.Name, string.Join("×", p.Shape)));
        var second = ParameterLayout.Of(runtime, target).Parameters.Select(p => (p.Name, string.Join("×", p.Shape)));
        if (!first.SequenceEqual(second) || !start.Metadata.Model.Equals(target.Metadata.Model))
            throw new ArgumentException($"{target.Name} ({target.Metadata.Model.Architecture}) is not the architecture of {start.Name} ({start.Metadata.Model.Architecture}): a curve between them is undefined.");
    }

    private static List<CheckpointInfo> FinishedBends(LandscapeRuntime runtime, CurveTrainingOptions options, string directory)
    {
        var finished = new List<CheckpointInfo>();
        if (!Directory.Exists(directory)) return finished;
        var wanted = JsonSerializer.Serialize(options, CheckpointStore.JsonOptions);
        for (var epoch = 0; epoch <= options.Epochs; epoch++)
        {
            var metadataPath = Path.Combine(directory, BendFileName(epoch) + CheckpointStore.MetadataExtension);
            if (!File.Exists(metadataPath)) break;
            var checkpoint = CheckpointStore.Read(runtime, metadataPath);
            var found = checkpoint.Metadata.CurveTraining is { } curve ? JsonSerializer.Serialize(curve with { Epochs = options.Epochs }, CheckpointStore.JsonOptions) : "";
            if (found != wanted)
                throw new TrainingDirectoryConflictException(directory, $"'{directory}' already holds the bends of a different curve ({Path.GetFileName(metadataPath)}). Choose another output directory, or restart to overwrite them.");
            finished.Add(checkpoint);
        }
        var last = finished.Count - 1;
        if (last > 0 && !File.Exists(MomentumPath(directory, last)))
            throw new TrainingDirectoryConflictException(directory, $"'{directory}' holds bends 0..{last} of this curve but not the momentum of epoch {last}, so it cannot resume exactly. Restart to train from scratch.");
        return finished;
    }

    private static Tensor FlatParameters(LandscapeRuntime runtime, ParameterLayout layout, CheckpointInfo checkpoint)
    {
        using var model = CheckpointStore.LoadModel(runtime, checkpoint);
        return tensor(layout.FlattenParameters(model));
    }

    private static float[] ReadMomentum(string directory, int epoch, long length)
    {
        var bytes = File.ReadAllBytes(MomentumPath(directory, epoch));
        if (bytes.Length != length * sizeof(float))
            throw new TrainingDirectoryConflictException(directory, $"'{MomentumPath(directory, epoch)}' holds {bytes.Length} bytes, not the {length} float32 values of this model's momentum. Restart to train from scratch.");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static void DeleteRun(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var pattern in new[] { "bend-*" + CheckpointStore.StateExtension, "bend-*" + CheckpointStore.MetadataExtension, "bend-*" + MomentumExtension })
        {
            foreach (var file in Directory.EnumerateFiles(directory, pattern)) File.Delete(file);
        }
    }

    private static string MomentumPath(string directory, int epoch) => Path.Combine(directory, BendFileName(epoch) + MomentumExtension);
}
