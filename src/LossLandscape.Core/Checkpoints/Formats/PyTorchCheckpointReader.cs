using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Reads a <c>torch.save</c> file (zip or legacy format) into a <see cref="StateDictionary"/>
/// without Python and without running anything the file names (<see cref="RestrictedUnpickler"/>).
/// Accepts a bare state dict or a dict holding one under one of <see cref="StateDictionaryKeys"/>,
/// and strips DataParallel's <c>module.</c> prefix when every name has it.
/// </summary>
public static class PyTorchCheckpointReader
{
    /// <summary>Keys training scripts store the state dict under, in the order they are tried.</summary>
    public static IReadOnlyList<string> StateDictionaryKeys { get; } = ["state_dict", "model_state_dict", "model", "net"];

    private const string DataParallelPrefix = "module.";
    private static readonly BigInteger LegacyMagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    private const long LegacyProtocolVersion = 1001;
    private const long MaxPickleBytes = 1L << 30;

    /// <summary>Reads with no expected state: allocations bounded by <see cref="ReadBudget.FileSizeFactor"/> × the file's size.</summary>
    /// <exception cref="UnsafePickleException">The pickle names a global outside the allowlist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PyTorch checkpoint of tensors.</exception>
    public static PyTorchCheckpoint Read(string path) => Read(path, ReadBudget.ForFile(new FileInfo(path).Length));

    /// <exception cref="UnsafePickleException">The pickle names a global outside the allowlist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PyTorch checkpoint of tensors.</exception>
    /// <exception cref="CheckpointTooLargeException">It declares more data than <paramref name="budget"/> allows.</exception>
    /// <exception cref="DeclaredStateMismatchException">It declares other tensors than <paramref name="budget"/> expects.</exception>
    public static PyTorchCheckpoint Read(string path, ReadBudget budget)
    {
        using var stream = File.OpenRead(path);
        return IsZip(stream, path) ? ReadZip(stream, path, budget) : ReadLegacy(stream, path, budget);
    }

    /// <summary>
    /// The object the checkpoint pickles, with its tensors' storages referenced but not read: what a
    /// caller needs to learn the architecture (nanoGPT's model_args) before it knows the state to expect.
    /// </summary>
    /// <exception cref="UnsafePickleException">The pickle names a global outside the allowlist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PyTorch checkpoint.</exception>
    /// <exception cref="CheckpointTooLargeException">Its pickle is larger than <paramref name="budget"/> allows.</exception>
    public static object? ReadPickle(string path, ReadBudget budget)
    {
        using var stream = File.OpenRead(path);
        if (IsZip(stream, path))
        {
            using var archive = OpenZip(stream, path);
            return LoadZipPickle(archive, path, budget).Root;
        }
        return LoadLegacyRoot(new RestrictedUnpickler(stream, id => LegacyStorageReference(id, new Dictionary<string, TensorDType>(StringComparer.Ordinal))), path);
    }

    private static bool IsZip(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[2];
        if (stream.ReadAtLeast(head, 2, throwOnEndOfStream: false) < 2)
            throw new InvalidDataException($"'{path}' is too short to be a PyTorch checkpoint.");
        stream.Position = 0;
        if (head[0] == (byte)'P' && head[1] == (byte)'K') return true;
        if (head[0] == 0x80) return false;
        throw new InvalidDataException($"'{path}' is neither a zip-format nor a legacy-format PyTorch checkpoint.");
    }

    private static ZipArchive OpenZip(Stream stream, string path)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"'{path}' is a damaged or truncated zip archive: {error.Message}", error);
        }
    }

    /// <summary>The archive's pickle, loaded after the checks on its records, and the folder prefix its storages lie under.</summary>
    private static (object? Root, string Prefix) LoadZipPickle(ZipArchive archive, string path, ReadBudget budget)
    {
        // GetEntry returns one of two same-named records, and another zip reader may pick the other.
        var repeated = archive.Entries.GroupBy(entry => entry.FullName, StringComparer.Ordinal).FirstOrDefault(names => names.Count() > 1);
        if (repeated is not null)
            throw new InvalidDataException($"'{path}' holds the record '{repeated.Key}' {repeated.Count()} times: which one is meant is ambiguous.");
        // torch.save names the archive's top folder after the file, so it varies.
        var pickles = archive.Entries.Where(entry => entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                                     && entry.FullName.IndexOf('/') == entry.FullName.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
            throw new InvalidDataException($"'{path}' is a zip archive but not a PyTorch checkpoint: it has {pickles.Count} top-level */data.pkl records.");
        var prefix = pickles[0].FullName[..^"data.pkl".Length];
        if (archive.GetEntry(prefix + "byteorder") is { } byteOrder)
        {
            var order = Encoding.ASCII.GetString(ReadEntry(byteOrder, path, 64, budget)).Trim();
            if (order != "little") throw new InvalidDataException($"'{path}' stores {order}-endian data; only little-endian checkpoints are supported.");
        }

        return (RestrictedUnpickler.Load(ReadEntry(pickles[0], path, MaxPickleBytes, budget), ZipStorageReference), prefix);
    }

    private static PyTorchCheckpoint ReadZip(Stream stream, string path, ReadBudget budget)
    {
        using var archive = OpenZip(stream, path);
        var (root, prefix) = LoadZipPickle(archive, path, budget);
        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] LoadStorage(PickleStorage storage)
        {
            if (!storages.TryGetValue(storage.Key, out var bytes))
            {
                var entry = archive.GetEntry($"{prefix}data/{storage.Key}")
                    ?? throw new InvalidDataException($"'{path}' has no record '{prefix}data/{storage.Key}' for storage '{storage.Key}'.");
                bytes = ReadEntry(entry, path, Array.MaxLength, budget);
                storages.Add(storage.Key, bytes);
            }
            return bytes;
        }
        return Unwrap(root, PyTorchCheckpointFormat.Zip, LoadStorage, budget);
    }

    // ('storage', storage type, key, location, element count)
    private static object ZipStorageReference(object? persistentId)
    {
        if (persistentId is not object?[] { Length: 5 } id || id[0] is not "storage" || id[1] is not PickleStorageType type
            || id[2] is not string key || id[3] is not string || id[4] is not long count || count < 0)
            throw new InvalidDataException($"Unexpected persistent id {PickleValues.Describe(persistentId)}; expected ('storage', type, key, location, numel).");
        return new PickleStorage(key, type.DType, count);
    }

    // ('storage', storage type, root key, location, root element count, view metadata or None)
    private static object LegacyStorageReference(object? persistentId, Dictionary<string, TensorDType> referenced)
    {
        if (persistentId is not object?[] { Length: 6 } id || id[0] is not "storage" || id[1] is not PickleStorageType type
            || id[2] is not string key || id[3] is not string || id[4] is not long count || count < 0)
            throw new InvalidDataException($"Unexpected persistent id {PickleValues.Describe(persistentId)}; expected ('storage', type, key, location, numel, view).");
        if (referenced.TryGetValue(key, out var earlier) && earlier != type.DType)
            throw new InvalidDataException($"Storage '{key}' is referenced both as {earlier} and as {type.DType}.");
        referenced[key] = type.DType;
        return id[5] switch
        {
            null => new PickleStorage(key, type.DType, count),
            object?[] { Length: 3 } view when view[1] is long offset and >= 0 && view[2] is long size and >= 0 =>
                new PickleStorage(key, type.DType, size, offset),
            var other => throw new InvalidDataException($"Storage '{key}' has unexpected view metadata {PickleValues.Describe(other)}."),
        };
    }

    /// <summary>The legacy format's leading pickles (magic number, protocol version, system info), then the object it saved.</summary>
    private static object? LoadLegacyRoot(RestrictedUnpickler unpickler, string path)
    {
        if (unpickler.Load() is not BigInteger magic || magic != LegacyMagicNumber)
            throw new InvalidDataException($"'{path}' starts with a pickle but not with PyTorch's magic number: it is not a PyTorch checkpoint.");
        if (unpickler.Load() is not long version || version != LegacyProtocolVersion)
            throw new InvalidDataException($"'{path}' has an unsupported legacy protocol version (expected {LegacyProtocolVersion}).");
        if (unpickler.Load() is PickleDictionary systemInfo && systemInfo.TryGetValue("little_endian", out var littleEndian) && littleEndian is false)
            throw new InvalidDataException($"'{path}' was saved on a big-endian machine; only little-endian checkpoints are supported.");
        return unpickler.Load();
    }

    private static PyTorchCheckpoint ReadLegacy(Stream stream, string path, ReadBudget budget)
    {
        var referenced = new Dictionary<string, TensorDType>(StringComparer.Ordinal);
        var unpickler = new RestrictedUnpickler(stream, id => LegacyStorageReference(id, referenced));
        var root = LoadLegacyRoot(unpickler, path);
        if (unpickler.Load() is not List<object?> keys || keys.Any(key => key is not string))
            throw new InvalidDataException($"'{path}' lacks the list of storage keys after its pickle: it is truncated or damaged.");

        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Span<byte> countBytes = stackalloc byte[8];
        foreach (var key in keys.Cast<string>())
        {
            if (!referenced.TryGetValue(key, out var dtype))
                throw new InvalidDataException($"'{path}' stores storage '{key}', which no tensor references.");
            if (stream.ReadAtLeast(countBytes, 8, throwOnEndOfStream: false) < 8)
                throw new InvalidDataException($"'{path}' ends before storage '{key}': it is truncated.");
            var count = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            var remaining = stream.Length - stream.Position;
            if (count < 0 || count > remaining / dtype.ElementSize())
                throw new InvalidDataException($"'{path}': storage '{key}' declares {count} {dtype} elements but {remaining} bytes remain: it is truncated.");
            budget.Spend(count * dtype.ElementSize(), $"'{path}': storage '{key}'");
            var bytes = new byte[count * dtype.ElementSize()];
            stream.ReadExactly(bytes);
            if (!storages.TryAdd(key, bytes)) throw new InvalidDataException($"'{path}' stores storage '{key}' twice.");
        }
        return Unwrap(root, PyTorchCheckpointFormat.Legacy, storage =>
            storages.TryGetValue(storage.Key, out var bytes) ? bytes : throw new InvalidDataException($"'{path}' has no data for storage '{storage.Key}'."), budget);
    }

    private static PyTorchCheckpoint Unwrap(object? root, PyTorchCheckpointFormat format, Func<PickleStorage, byte[]> loadStorage, ReadBudget budget)
    {
        if (root is not PickleDictionary dictionary)
            throw new InvalidDataException($"The checkpoint holds {PickleValues.Describe(root)}, not a state dict (a dict of tensors).");

        var description = new List<string> { format == PyTorchCheckpointFormat.Zip ? "zip format" : "legacy format" };
        var extras = new Dictionary<string, object>(StringComparer.Ordinal);
        PickleDictionary state;
        if (IsStateDictionary(dictionary))
        {
            state = dictionary;
            description.Add("bare state dict");
        }
        else
        {
            var key = StateDictionaryKeys.FirstOrDefault(candidate =>
                dictionary.TryGetValue(candidate, out var value) && value is PickleDictionary inner && IsStateDictionary(inner));
            if (key is null)
            {
                var keys = string.Join(", ", dictionary.Entries.Select(entry => entry.Key is string name ? $"'{name}'" : PickleValues.Describe(entry.Key)));
                throw new InvalidDataException(
                    $"The checkpoint is a dict with keys {keys}, but it is not a state dict and none of " +
                    $"{string.Join(", ", StateDictionaryKeys.Select(candidate => $"'{candidate}'"))} holds one (a dict of tensors).");
            }
            dictionary.TryGetValue(key, out var found);
            state = (PickleDictionary)found!;
            description.Add($"dict key '{key}'");
            foreach (var (name, value) in dictionary.Entries)
            {
                if (name is string text && text != key && value is long or double or string or bool) extras[text] = value!;
            }
        }

        var names = state.Entries.Select(entry => (string)entry.Key!).ToList();
        var stripPrefix = names.All(name => name.StartsWith(DataParallelPrefix, StringComparison.Ordinal));
        if (stripPrefix) description.Add($"'{DataParallelPrefix}' prefix stripped");

        var declared = state.Entries.Select(entry => (
            Name: stripPrefix ? ((string)entry.Key!)[DataParallelPrefix.Length..] : (string)entry.Key!,
            Tensor: (PickleTensor)entry.Value!)).ToList();
        budget.CheckDeclared(declared.Select(d => new DeclaredTensor(d.Name, d.Tensor.Storage.DType, d.Tensor.Shape)).ToList());
        var tensors = new List<NamedTensor>(state.Count);
        foreach (var (name, tensor) in declared)
        {
            ChargeView(name, tensor, budget);
            tensors.Add(Materialize(name, tensor, loadStorage(tensor.Storage)));
        }
        return new PyTorchCheckpoint(new StateDictionary(tensors), format, string.Join("; ", description), extras);
    }

    /// <summary>
    /// Charges the tensor's contiguous copy before its storage is read. A view may repeat storage
    /// elements (stride 0, as expand() makes for position ids), so its size is its own element
    /// count, which must be the expected one; where a state is expected, the storage span it
    /// reads may not exceed that either.
    /// </summary>
    private static void ChargeView(string name, PickleTensor tensor, ReadBudget budget)
    {
        var what = $"Tensor '{name}' (shape [{string.Join(", ", tensor.Shape)}])";
        var elementSize = tensor.Storage.DType.ElementSize();
        var count = NamedTensor.ElementCountOf(tensor.Shape);
        if (count is null || count > long.MaxValue / elementSize)
            throw new CheckpointTooLargeException($"{what} declares a size that overflows 64 bits");
        if (budget.ExpectedCounts is { } expected && expected.TryGetValue(name, out var want) && count > 0)
        {
            if (tensor.Shape.Length != tensor.Stride.Length || tensor.Stride.Any(stride => stride < 0))
                throw new InvalidDataException($"{what}: {tensor.Stride.Length} strides, some negative or not one per size.");
            var span = 1L;
            try
            {
                for (var d = 0; d < tensor.Shape.Length; d++) span = checked(span + (tensor.Shape[d] - 1) * tensor.Stride[d]);
            }
            catch (OverflowException)
            {
                span = long.MaxValue;
            }
            if (span > want)
                throw new CheckpointTooLargeException($"{what} reads a storage span of {span} elements, more than the {want} the architecture's tensor holds");
        }
        budget.Spend(count.Value * elementSize, what);
    }

    private static bool IsStateDictionary(PickleDictionary dictionary) =>
        dictionary.Count > 0 && dictionary.Entries.All(entry => entry.Key is string && entry.Value is PickleTensor);

    private static NamedTensor Materialize(string name, PickleTensor tensor, byte[] storageBytes)
    {
        var storage = tensor.Storage;
        var elementSize = storage.DType.ElementSize();
        long start, length;
        try
        {
            start = checked(storage.ElementOffset * elementSize);
            length = checked(storage.ElementCount * elementSize);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"Tensor '{name}': storage '{storage.Key}' declares an impossible size.");
        }
        if (start + length > storageBytes.Length)
            throw new InvalidDataException(
                $"Tensor '{name}': storage '{storage.Key}' holds {storageBytes.Length} bytes but is declared as {storage.ElementCount} {storage.DType} elements" +
                (storage.ElementOffset > 0 ? $" from element {storage.ElementOffset}." : "."));
        var data = StridedCopy.ToContiguous(storageBytes.AsSpan((int)start, (int)length), elementSize, tensor.StorageOffset, tensor.Shape, tensor.Stride,
            $"Tensor '{name}' (storage '{storage.Key}')");
        return new NamedTensor(name, storage.DType, tensor.Shape, data);
    }

    /// <summary>Inflates a record into exactly the size it declares, charged to the budget first: it can never grow past that.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path, long cap, ReadBudget budget)
    {
        if (entry.Length > cap)
            throw new CheckpointTooLargeException($"'{path}': record '{entry.FullName}' declares {entry.Length} bytes, more than the {cap} such a record may hold");
        budget.Spend(entry.Length, $"'{path}': record '{entry.FullName}'");
        var bytes = new byte[entry.Length];
        try
        {
            using var content = entry.Open();
            content.ReadExactly(bytes);
        }
        catch (Exception error) when (error is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"'{path}': record '{entry.FullName}' cannot be read (truncated or damaged): {error.Message}", error);
        }
        return bytes;
    }
}
