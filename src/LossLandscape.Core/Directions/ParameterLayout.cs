using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Directions;

/// <summary>One tensor's place in a flat vector.</summary>
public sealed record ParameterEntry(string Name, long[] Shape, long Offset, long Length)
{
    public int Rank => Shape.Length;
}

/// <summary>
/// Where each parameter (in <c>named_parameters()</c> order) and each floating-point buffer (BN
/// running statistics; <c>num_batches_tracked</c> is an integer and never moves) sits in a flat vector.
/// </summary>
public sealed class ParameterLayout
{
    private ParameterLayout(IReadOnlyList<ParameterEntry> parameters, IReadOnlyList<ParameterEntry> buffers)
    {
        Parameters = parameters;
        Buffers = buffers;
        ParameterLength = parameters.Sum(p => p.Length);
        BufferLength = buffers.Sum(b => b.Length);
    }

    public IReadOnlyList<ParameterEntry> Parameters { get; }

    public IReadOnlyList<ParameterEntry> Buffers { get; }

    public long ParameterLength { get; }

    public long BufferLength { get; }

    public static ParameterLayout Of(nn.Module model)
    {
        return new ParameterLayout(
            Entries(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))),
            Entries(model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => (b.name, b.buffer))));
    }

    public float[] FlattenParameters(nn.Module model) => Flatten(model.parameters().Select(p => (Tensor)p), ParameterLength);

    public float[] FlattenBuffers(nn.Module model) =>
        Flatten(model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => b.buffer), BufferLength);

    private static List<ParameterEntry> Entries(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var entries = new List<ParameterEntry>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            entries.Add(new ParameterEntry(name, tensor.shape, offset, tensor.numel()));
            offset += tensor.numel();
        }
        return entries;
    }

    private static float[] Flatten(IEnumerable<Tensor> tensors, long length)
    {
        var flat = new float[length];
        var offset = 0;
        foreach (var tensor in tensors)
        {
            using var values = tensor.detach().to(ScalarType.Float32).contiguous().cpu();
            var span = values.data<float>().ToArray();
            span.CopyTo(flat, offset);
            offset += span.Length;
        }
        return flat;
    }
}
