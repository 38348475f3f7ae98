namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>Materializes a strided view of a buffer as contiguous row-major bytes.</summary>
public static class StridedCopy
{
    /// <param name="source">The whole storage.</param>
    /// <param name="elementOffset">Offset of element [0, …, 0] in <paramref name="source"/>, in elements.</param>
    /// <exception cref="InvalidDataException">The view reaches past the end of <paramref name="source"/>.</exception>
    public static byte[] ToContiguous(ReadOnlySpan<byte> source, int elementSize, long elementOffset, long[] shape, long[] strides, string what)
    {
        if (shape.Length != strides.Length)
            throw new InvalidDataException($"{what}: {shape.Length} sizes but {strides.Length} strides.");
        var count = NamedTensor.ElementCountOf(shape)
            ?? throw new InvalidDataException($"{what}: invalid shape [{string.Join(", ", shape)}].");
        if (count == 0) return [];
        if (elementOffset < 0 || strides.Any(stride => stride < 0))
            throw new InvalidDataException($"{what}: negative storage offset or stride.");

        var available = source.Length / elementSize;
        try
        {
            var last = elementOffset;
            for (var d = 0; d < shape.Length; d++) last = checked(last + (shape[d] - 1) * strides[d]);
            if (last >= available || count > Array.MaxLength / elementSize)
                throw new InvalidDataException(
                    $"{what}: the view (offset {elementOffset}, shape [{string.Join(", ", shape)}], strides [{string.Join(", ", strides)}]) " +
                    $"reaches element {last} but the storage holds {available}.");
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{what}: the view's extent overflows.");
        }

        var result = new byte[count * elementSize];
        if (IsRowMajor(shape, strides))
        {
            source.Slice((int)(elementOffset * elementSize), result.Length).CopyTo(result);
            return result;
        }

        var index = new long[shape.Length];
        var position = elementOffset;
        for (var i = 0L; i < count; i++)
        {
            source.Slice((int)(position * elementSize), elementSize).CopyTo(result.AsSpan((int)(i * elementSize)));
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                position += strides[d];
                if (++index[d] < shape[d]) break;
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>Row-major (C order) strides for <paramref name="shape"/>.</summary>
    public static long[] RowMajorStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        var stride = 1L;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.Max(shape[d], 1);
        }
        return strides;
    }

    // Size-1 dimensions may carry any stride (PyTorch does not normalise them).
    private static bool IsRowMajor(long[] shape, long[] strides)
    {
        var expected = 1L;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
