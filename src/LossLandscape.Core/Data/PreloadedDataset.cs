using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Data;

/// <summary>
/// A data set held as two tensors on one device, iterated in batches: images as inputs NCHW float32
/// with labels N int64, token data as tokens N×T int64 with targets N×T int64. Held on the device the
/// model computes on, it is copied there once, not once per batch.
/// </summary>
public sealed class PreloadedDataset : IDisposable
{
    /// <param name="channelsLast">Store image inputs NHWC in memory (see <see cref="Models.ChannelsLast"/>); the shape stays NCHW. Token data has no channels and ignores it.</param>
    /// <param name="device">Where the tensors live (default: the CPU).</param>
    /// <exception cref="DeviceUnavailableException">No such CUDA device in this process.</exception>
    public PreloadedDataset(LandscapeRuntime runtime, DatasetReference reference, DatasetArrays arrays, bool channelsLast = false, ComputeDevice? device = null)
    {
        var target = (device ?? ComputeDevice.Cpu).ToTorchDevice(runtime);
        Reference = reference;
        Count = arrays.Count;
        ClassCount = arrays.ClassCount;
        MaskedTargetCount = arrays.MaskedTargetCount;
        if (arrays.Tokens is { } tokens)
        {
            SampleShape = [arrays.SequenceLength];
            Inputs = OnDevice(tensor(tokens, [arrays.Count, arrays.SequenceLength]), target);
            Labels = OnDevice(tensor(arrays.Labels, [arrays.Count, arrays.SequenceLength]), target);
            return;
        }
        SampleShape = [arrays.Channels, arrays.Height, arrays.Width];
        var inputs = OnDevice(tensor(arrays.Inputs, [arrays.Count, arrays.Channels, arrays.Height, arrays.Width]), target);
        if (channelsLast)
        {
            Inputs = Models.ChannelsLast.Of(inputs);
            inputs.Dispose();
        }
        else
        {
            Inputs = inputs;
        }
        Labels = OnDevice(tensor(arrays.Labels, [arrays.Count]), target);
    }

    public DatasetReference Reference { get; }

    public int Count { get; }

    /// <summary>The classes of images; the vocabulary of token data.</summary>
    public int ClassCount { get; }

    /// <summary>Channels, height, width of images; the sequence length T of token data.</summary>
    public long[] SampleShape { get; }

    public bool IsTokenData => SampleShape.Length == 1;

    /// <summary>The targets the mean loss is taken over: <see cref="Count"/> for images, the positions inside the loss mask for token data.</summary>
    public long MaskedTargetCount { get; }

    /// <summary>
    /// The loss terms a batch's labels hold: its samples for images, its masked positions for tokens.
    /// A batch's share of the data set's mean loss is this over <see cref="MaskedTargetCount"/>.
    /// </summary>
    public long TargetCount(Tensor labels) => IsTokenData ? labels.ne(DatasetArrays.IgnoredTarget).sum().item<long>() : labels.shape[0];

    public Tensor Inputs { get; }

    public Tensor Labels { get; }

    /// <summary>
    /// Batches in data order, or in <paramref name="order"/> when given. The batch tensors belong to
    /// the caller's dispose scope.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Labels)> Batches(int batchSize, IReadOnlyList<int>? order = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (order is not null && order.Count != Count) throw new ArgumentException("The order must list every sample once.", nameof(order));
        for (var start = 0; start < Count; start += batchSize)
        {
            var length = Math.Min(batchSize, Count - start);
            if (order is null)
            {
                yield return (Inputs.narrow(0, start, length), Labels.narrow(0, start, length));
            }
            else
            {
                var indexValues = new long[length];
                for (var i = 0; i < length; i++) indexValues[i] = order[start + i];
                using var index = tensor(indexValues, device: Inputs.device);
                yield return (Inputs.index_select(0, index), Labels.index_select(0, index));
            }
        }
    }

    private static Tensor OnDevice(Tensor onCpu, Device target)
    {
        if (onCpu.IsOn(target)) return onCpu;
        using (onCpu) return onCpu.to(target);
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
