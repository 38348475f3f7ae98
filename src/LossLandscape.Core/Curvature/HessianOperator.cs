using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Training;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace LossLandscape.Core.Curvature;

/// <summary>
/// The Hessian H of the mean loss over a data set with respect to a model's parameters, as a
/// matrix-free operator: <see cref="Apply"/> returns H·v by double back-propagation (Pearlmutter's
/// trick). The loss is evaluated in eval mode — BatchNorm uses its running statistics and dropout is
/// off — so H is the curvature of the same function the surface plots evaluate.
/// </summary>
/// <remarks>
/// Each batch contributes the HVP of its batch-mean loss weighted by (batch size / N), so the result
/// is the HVP of the mean loss over all N samples, independent of the batch size. The paper's code
/// (and PyHessian) sums the batch HVPs unweighted: its eigenvalues are ours times the number of
/// batches (with equal batches), which leaves |λmin/λmax| unchanged but not λmax itself.
/// Vectors are flat float64 arrays in <c>named_parameters()</c> order, restricted to the chosen
/// parameters (<see cref="ParameterNames"/>). Every chosen parameter must take part in the loss.
/// </remarks>
public sealed class HessianOperator : IDisposable
{
    private readonly nn.Module model;
    private readonly PreloadedDataset data;
    private readonly Func<Tensor, Tensor, Tensor> batchMeanLoss;
    private readonly int batchSize;

    /// <summary>Each batch's loss terms (its samples, or its masked positions for tokens), in batch order.</summary>
    private readonly long[] batchTargets;
    private readonly CancellationToken cancellation;
    private readonly ScalarType? restoreType;
    private readonly Parameter[] parameters;
    private readonly ScalarType computeType;
    private readonly Device device;
    private bool disposed;

    /// <param name="model">The model; with <paramref name="float64"/> it is converted to float64 until <see cref="Dispose"/> converts it back.</param>
    /// <param name="data">The samples the mean loss runs over (a subset: pass a smaller data set).</param>
    /// <param name="weightsOnly">True: only parameters with more than one dimension (weights, not biases or BN scales), as the paper's code; false: all parameters.</param>
    /// <param name="float64">Compute in float64 (model and batches), for exactness checks; float32 HVPs carry relative errors near 10⁻⁶.</param>
    /// <param name="subset">Only these parameters (-Parameter), within <paramref name="weightsOnly"/>: the operator is the Hessian's sub-block over them, the rest held fixed.</param>
    /// <exception cref="Specs.SpecException">A <paramref name="subset"/> pattern names no parameter, or the subset leaves nothing.</exception>
    public HessianOperator(nn.Module model, PreloadedDataset data, LossFunction lossFunction = LossFunction.CrossEntropy, int batchSize = Evaluation.DefaultBatchSize, bool weightsOnly = false, bool float64 = false, CancellationToken cancellation = default, ParameterSubset? subset = null)
        : this(model, data, (logits, labels) => Evaluation.Loss(logits, labels, lossFunction), batchSize, weightsOnly, float64, cancellation, subset)
    {
    }

    /// <summary>As the main constructor, with any loss: <paramref name="batchMeanLoss"/> maps (model output, labels) to the batch's mean loss, a scalar.</summary>
    public HessianOperator(nn.Module model, PreloadedDataset data, Func<Tensor, Tensor, Tensor> batchMeanLoss, int batchSize = Evaluation.DefaultBatchSize, bool weightsOnly = false, bool float64 = false, CancellationToken cancellation = default, ParameterSubset? subset = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(batchMeanLoss);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (data.Count == 0) throw new ArgumentException("The data set is empty; the mean loss has no Hessian.", nameof(data));

        var chosen = Choose(model, weightsOnly, subset);
        if (chosen.Length == 0) throw new ArgumentException(weightsOnly ? "The model has no parameter with more than one dimension." : "The model has no parameters.", nameof(model));
        EnsureFinite(chosen);
        if (chosen.FirstOrDefault(p => !p.parameter.requires_grad) is { name: { } frozen })
            throw new ArgumentException($"Parameter '{frozen}' does not require a gradient.", nameof(model));

        if (float64 && chosen[0].parameter.dtype != ScalarType.Float64)
        {
            restoreType = chosen[0].parameter.dtype;
            model.to(ScalarType.Float64);
            // Conversion may replace the parameter objects, so they are looked up again.
            chosen = Choose(model, weightsOnly, subset);
        }

        this.model = model;
        this.data = data;
        this.batchMeanLoss = batchMeanLoss;
        this.batchSize = batchSize;
        this.cancellation = cancellation;
        parameters = chosen.Select(p => p.parameter).ToArray();
        ParameterNames = chosen.Select(p => p.name).ToArray();
        computeType = parameters[0].dtype;
        device = parameters[0].device;
        Dimension = checked((int)parameters.Sum(p => p.numel()));
        // Counted once: every Hessian-vector product walks the same batches.
        batchTargets = data.Batches(batchSize).Select(batch =>
        {
            using var inputs = batch.Inputs;
            using var labels = batch.Labels;
            return data.TargetCount(labels);
        }).ToArray();
    }

    /// <summary>Length of the vectors <see cref="Apply"/> takes and returns.</summary>
    public int Dimension { get; }

    /// <summary>The chosen parameters, in the order their entries appear in the vectors.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Calls of <see cref="Apply"/> so far (each is one pass over the data).</summary>
    public int HessianVectorProducts { get; private set; }

    /// <summary>H·v for the mean loss over the data set.</summary>
    public double[] Apply(double[] v)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != Dimension) throw new ArgumentException($"The vector has {v.Length} entries; the Hessian has dimension {Dimension}.", nameof(v));
        for (var i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i])) throw new ArgumentException($"The vector has a non-finite entry at index {i}.", nameof(v));
        }
        EnsureFinite(ParameterNames.Zip(parameters, (name, parameter) => (name, parameter)));

        using var direction = tensor(v).to(computeType, device);
        var directionParts = Split(direction);
        var result = OverBatches((loss, accumulator, weight) =>
        {
            // Both flags on both calls: without retain_graph the second grad aborts the native process in TorchSharp 0.107.
            var gradients = autograd.grad([loss], parameters, retain_graph: true, create_graph: true);
            var projection = gradients.Zip(directionParts, (g, d) => (g * d).sum()).Aggregate((a, b) => a + b);
            var product = autograd.grad([projection], parameters, retain_graph: true, create_graph: false);
            Accumulate(accumulator, product, weight);
        });
        HessianVectorProducts++;
        return result;
    }

    /// <summary>The gradient of the mean loss over the data set.</summary>
    public double[] Gradient()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        EnsureFinite(ParameterNames.Zip(parameters, (name, parameter) => (name, parameter)));
        return OverBatches((loss, accumulator, weight) =>
            Accumulate(accumulator, autograd.grad([loss], parameters, retain_graph: true, create_graph: false), weight));
    }

    /// <summary>Converts a float64-converted model back to its original type.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (restoreType is { } original) model.to(original);
    }

    private double[] OverBatches(Action<Tensor, Tensor, double> addBatch)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var gradMode = enable_grad();
            using var accumulator = zeros([Dimension], ScalarType.Float64, device);
            foreach (var (batch, targets) in data.Batches(batchSize).Zip(batchTargets))
            {
                using var inputs = batch.Inputs;
                using var labels = batch.Labels;
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                // A batch of sequences with nothing in the loss mask adds nothing (and its mean would be NaN).
                if (targets == 0) continue;
                var logits = model.Forward(inputs.ToModelInput(computeType, device));
                var loss = batchMeanLoss(logits, labels.to(device));
                if (loss.numel() != 1) throw new InvalidOperationException($"The loss must be a scalar; it has shape [{string.Join(", ", loss.shape)}].");
                addBatch(loss, accumulator, (double)targets / data.MaskedTargetCount);
            }
            using var host = accumulator.cpu();
            return host.data<double>().ToArray();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static void Accumulate(Tensor accumulator, IList<Tensor> parts, double weight)
    {
        using var noGrad = no_grad();
        var flat = cat(parts.Select(p => p.reshape(-1)).ToList(), 0).to(ScalarType.Float64);
        accumulator.add_(flat, weight);
    }

    private Tensor[] Split(Tensor flat)
    {
        var parts = new Tensor[parameters.Length];
        long offset = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var length = parameters[i].numel();
            parts[i] = flat.narrow(0, offset, length).view(parameters[i].shape);
            offset += length;
        }
        return parts;
    }

    /// <summary>A NaN or ∞ weight would turn every product into NaN; refusing early names the culprit.</summary>
    /// <summary>The parameters an operator over <paramref name="model"/> works on; the sharpness objective selects through it too, so both agree.</summary>
    internal static (string name, Parameter parameter)[] Choose(nn.Module model, bool weightsOnly, ParameterSubset? subset) =>
        ParameterSubset.Choose(model.named_parameters().ToArray(), p => p.name, p => p.parameter.dim() > 1, weightsOnly, subset).ToArray();

    private static void EnsureFinite(IEnumerable<(string name, Parameter parameter)> named)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named)
        {
            using var finite = isfinite(parameter).all();
            if (!finite.item<bool>()) throw new ArgumentException($"Parameter '{name}' holds NaN or infinite values.", "model");
        }
    }
}
