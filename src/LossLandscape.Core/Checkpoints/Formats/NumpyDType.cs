namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// A pickled <c>numpy.dtype</c>: constructed from its type string (<c>'u1'</c>, <c>'i8'</c>, …),
/// then given its byte order by BUILD. Only little-endian and byte-order-free numeric types are accepted.
/// </summary>
public sealed class NumpyDType : IPickleBuildable
{
    private static readonly Dictionary<string, TensorDType> Codes = new(StringComparer.Ordinal)
    {
        ["f2"] = TensorDType.Float16, ["f4"] = TensorDType.Float32, ["f8"] = TensorDType.Float64,
        ["i8"] = TensorDType.Int64, ["i4"] = TensorDType.Int32, ["i2"] = TensorDType.Int16, ["i1"] = TensorDType.Int8,
        ["u1"] = TensorDType.UInt8, ["b1"] = TensorDType.Bool,
    };

    public NumpyDType(string code)
    {
        if (!Codes.TryGetValue(code, out var dtype))
            throw new InvalidDataException($"numpy dtype '{code}' is not supported (only f2, f4, f8, i1, i2, i4, i8, u1, b1).");
        Code = code;
        DType = dtype;
    }

    public string Code { get; }

    public TensorDType DType { get; }

    /// <summary>numpy's dtype state is (version, byte order, subarray, names, fields, …).</summary>
    public void SetState(object? state)
    {
        if (state is not object?[] { Length: >= 2 } tuple || tuple[1] is not string byteOrder)
            throw new InvalidDataException($"Unexpected numpy dtype state {PickleValues.Describe(state)}.");
        if (byteOrder is not ("<" or "|" or "="))
            throw new InvalidDataException($"numpy dtype '{Code}' has byte order '{byteOrder}'; only little-endian data is supported.");
        if (tuple.Length > 2 && tuple[2] is not null || tuple.Length > 3 && tuple[3] is not null)
            throw new InvalidDataException($"numpy dtype '{Code}' is structured or a subarray; only plain numeric types are supported.");
    }
}
