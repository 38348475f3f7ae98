namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// A pickled <c>numpy.ndarray</c>: <c>numpy.core.multiarray._reconstruct</c> makes an empty one,
/// and BUILD supplies (version, shape, dtype, Fortran order, raw bytes).
/// </summary>
public sealed class NumpyArray : IPickleBuildable
{
    private byte[]? data;

    public NumpyDType? DType { get; private set; }

    public long[] Shape { get; private set; } = [0];

    /// <summary>The elements, row-major and little-endian.</summary>
    public byte[] Data => data ?? throw new InvalidDataException("The numpy array was never given its state.");

    public void SetState(object? state)
    {
        if (state is not object?[] { Length: 5 } tuple
            || tuple[1] is not object?[] shapeItems
            || tuple[2] is not NumpyDType dtype
            || tuple[3] is not bool fortranOrder)
            throw new InvalidDataException($"Unexpected numpy array state {PickleValues.Describe(state)}.");
        var shape = PickleAllowlist.ToLongArray(shapeItems, "numpy array shape");
        var raw = tuple[4] switch
        {
            byte[] bytes => bytes,
            // Python 2 pickles hold the bytes as a str, which this unpickler decodes as Latin-1.
            string text => PickleAllowlist.Latin1Bytes(text),
            _ => throw new InvalidDataException($"numpy array data is {PickleValues.Describe(tuple[4])}; object arrays are not supported."),
        };
        var count = NamedTensor.ElementCountOf(shape) ?? throw new InvalidDataException("numpy array shape overflows.");
        var size = dtype.DType.ElementSize();
        if (count > Array.MaxLength / size || raw.Length != count * size)
            throw new InvalidDataException($"numpy array [{string.Join("×", shape)}] {dtype.Code} needs {count * (double)size} bytes but has {raw.Length}.");

        var fortranStrides = new long[shape.Length];
        var stride = 1L;
        for (var d = 0; d < shape.Length; d++)
        {
            fortranStrides[d] = stride;
            stride *= Math.Max(shape[d], 1);
        }
        data = fortranOrder ? StridedCopy.ToContiguous(raw, size, 0, shape, fortranStrides, "numpy array") : raw;
        DType = dtype;
        Shape = shape;
    }

    public NamedTensor ToNamedTensor(string name) =>
        new(name, DType?.DType ?? throw new InvalidDataException("The numpy array was never given its state."), Shape, Data);
}
