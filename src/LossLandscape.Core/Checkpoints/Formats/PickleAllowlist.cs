using System.Buffers.Binary;
using System.Text;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// The only globals a checkpoint's pickle may name, each mapped to a C# stand-in that builds data
/// and nothing else: containers, tensor rebuilding, storage types, numpy arrays (as the CIFAR-10
/// python batches pickle them) and Latin-1 encoding (how protocol 2 spells bytes on Python 3).
/// Names from the file are only ever looked up here, never resolved by reflection.
/// </summary>
public static class PickleAllowlist
{
    private static readonly Dictionary<string, object> Globals = Build();

    /// <summary>Every allowed global, as <c>module.name</c>.</summary>
    public static IReadOnlyCollection<string> Names => Globals.Keys;

    public static bool TryResolve(string module, string name, out object value) =>
        Globals.TryGetValue($"{module}.{name}", out value!);

    public static long[] ToLongArray(object?[] items, string what) =>
        items.Select(item => item is long value and >= 0 ? value : throw new InvalidDataException($"{what} holds {PickleValues.Describe(item)}, not a non-negative int.")).ToArray();

    public static byte[] Latin1Bytes(string text) =>
        text.Any(c => c > 0xff)
            ? throw new InvalidDataException("A Latin-1 byte string holds a character above U+00FF.")
            : Encoding.Latin1.GetBytes(text);

    private static Dictionary<string, object> Build()
    {
        var globals = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string module, string name, Func<object?[], object?> invoke) =>
            globals.Add($"{module}.{name}", new PickleCallable(module, name, invoke));

        Add("collections", "OrderedDict", OrderedDict);
        Add("torch._utils", "_rebuild_tensor_v2", args => RebuildTensor(args, "_rebuild_tensor_v2", 6, 7));
        Add("torch._utils", "_rebuild_tensor", args => RebuildTensor(args, "_rebuild_tensor", 4, 4));
        Add("torch._utils", "_rebuild_parameter", args => RebuildParameter(args, "_rebuild_parameter", 3));
        Add("torch._utils", "_rebuild_parameter_with_state", args => RebuildParameter(args, "_rebuild_parameter_with_state", 4));
        foreach (var dtype in Enum.GetValues<TensorDType>())
            globals.Add($"torch.{dtype.TorchStorageName()}", new PickleStorageType(dtype));

        foreach (var numpyCore in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Add(numpyCore, "_reconstruct", ReconstructArray);
            Add(numpyCore, "scalar", NumpyScalar);
        }
        Add("numpy", "ndarray", _ => throw new InvalidDataException("numpy.ndarray is only accepted as the class argument of _reconstruct."));
        Add("numpy", "dtype", NumpyDTypeFromCode);
        Add("_codecs", "encode", Latin1Encode);
        return globals;
    }

    private static PickleDictionary OrderedDict(object?[] args)
    {
        var dictionary = new PickleDictionary();
        if (args.Length == 0) return dictionary;
        if (args is not [List<object?> pairs])
            throw new InvalidDataException($"collections.OrderedDict takes no arguments or one list of pairs, not {args.Length} arguments.");
        foreach (var pair in pairs)
        {
            if (pair is not object?[] { Length: 2 } keyValue)
                throw new InvalidDataException($"collections.OrderedDict item is {PickleValues.Describe(pair)}, not a (key, value) pair.");
            dictionary.Set(keyValue[0], keyValue[1]);
        }
        return dictionary;
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
    // the old _rebuild_tensor has the first four only.
    private static PickleTensor RebuildTensor(object?[] args, string function, int minimum, int maximum)
    {
        if (args.Length < minimum || args.Length > maximum)
            throw new InvalidDataException($"torch._utils.{function} got {args.Length} arguments; expected {minimum}..{maximum}.");
        if (args[0] is not PickleStorage storage)
            throw new InvalidDataException($"torch._utils.{function}: the storage is {PickleValues.Describe(args[0])}.");
        if (args[1] is not long offset || offset < 0)
            throw new InvalidDataException($"torch._utils.{function}: the storage offset is {PickleValues.Describe(args[1])}, not a non-negative int.");
        if (args[2] is not object?[] size || args[3] is not object?[] stride)
            throw new InvalidDataException($"torch._utils.{function}: size and stride must be tuples.");
        if (args.Length > 4 && args[4] is not bool)
            throw new InvalidDataException($"torch._utils.{function}: requires_grad is {PickleValues.Describe(args[4])}.");
        if (args.Length > 5 && args[5] is not PickleDictionary { Count: 0 })
            throw new InvalidDataException($"torch._utils.{function}: tensors with backward hooks are not supported.");
        var shape = ToLongArray(size, "tensor size");
        var strides = ToLongArray(stride, "tensor stride");
        if (shape.Length != strides.Length)
            throw new InvalidDataException($"torch._utils.{function}: {shape.Length} sizes but {strides.Length} strides.");
        return new PickleTensor(storage, offset, shape, strides);
    }

    // A Parameter is its data tensor plus requires_grad, hooks and (optionally) Python attributes.
    private static PickleTensor RebuildParameter(object?[] args, string function, int count)
    {
        if (args.Length != count || args[0] is not PickleTensor data)
            throw new InvalidDataException($"torch._utils.{function} expects {count} arguments starting with a tensor.");
        return data;
    }

    private static NumpyArray ReconstructArray(object?[] args)
    {
        if (args.Length != 3 || args[0] is not PickleCallable { Module: "numpy", Name: "ndarray" })
            throw new InvalidDataException("numpy _reconstruct is only supported for numpy.ndarray.");
        return new NumpyArray();
    }

    // numpy.dtype(type string, align, copy)
    private static NumpyDType NumpyDTypeFromCode(object?[] args) =>
        args.Length is >= 1 and <= 3 && args[0] is string code
            ? new NumpyDType(code)
            : throw new InvalidDataException("numpy.dtype expects a type string.");

    // numpy.core.multiarray.scalar(dtype, raw bytes): how a numpy number (say an accuracy) pickles.
    private static object NumpyScalar(object?[] args)
    {
        if (args.Length != 2 || args[0] is not NumpyDType dtype)
            throw new InvalidDataException("numpy scalar expects (dtype, bytes).");
        var raw = args[1] switch
        {
            byte[] bytes => bytes,
            string text => Latin1Bytes(text),
            _ => throw new InvalidDataException($"numpy scalar data is {PickleValues.Describe(args[1])}."),
        };
        if (raw.Length != dtype.DType.ElementSize())
            throw new InvalidDataException($"numpy scalar of type {dtype.Code} has {raw.Length} bytes.");
        return dtype.DType switch
        {
            TensorDType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(raw),
            TensorDType.Float32 => (double)BinaryPrimitives.ReadSingleLittleEndian(raw),
            TensorDType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(raw),
            TensorDType.Bool => raw[0] != 0,
            _ => ReadInteger(dtype.DType, raw),
        };
    }

    private static long ReadInteger(TensorDType dtype, byte[] raw) => dtype switch
    {
        TensorDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(raw),
        TensorDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw),
        TensorDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw),
        TensorDType.Int8 => (sbyte)raw[0],
        _ => raw[0],
    };

    // Protocol 2 on Python 3 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
    private static byte[] Latin1Encode(object?[] args) =>
        args is [string text, string encoding] && encoding is "latin1" or "latin-1" or "iso-8859-1"
            ? Latin1Bytes(text)
            : throw new InvalidDataException("_codecs.encode is only supported as encode(str, 'latin1').");
}
