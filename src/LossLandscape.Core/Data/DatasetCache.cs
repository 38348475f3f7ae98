using System.Globalization;

namespace LossLandscape.Core.Data;

/// <summary>
/// Decoded data sets read from disk, kept so that training, evaluation and every surface reuse one
/// decoding, up to <see cref="CapacityBytes"/> of decoded arrays; beyond that the least recently used
/// entries are dropped. An entry larger than the whole capacity is returned but not kept. An entry is
/// keyed on the files it was read from and remembers their sizes and last write times: when any of
/// them changes, the next request reads the files again and replaces the entry. The arrays handed out
/// are shared, so callers must not modify them.
/// </summary>
public sealed class DatasetCache
{
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<Entry> recency = new();

    private readonly object gate = new();
    private long capacityBytes;
    private long usedBytes;

    /// <param name="capacityBytes">Decoded bytes to keep at most; 0 keeps nothing.</param>
    public DatasetCache(long capacityBytes) => CapacityBytes = capacityBytes;

    /// <summary>A quarter of the memory this process may use: room for CIFAR-10 many times over, without crowding the models out.</summary>
    public static long DefaultCapacityBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    /// <summary>Decoded bytes kept at most; lowering it drops least recently used entries at once. 0 disables caching.</summary>
    public long CapacityBytes
    {
        get
        {
            lock (gate) return capacityBytes;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (gate)
            {
                capacityBytes = value;
                EvictToCapacity();
            }
        }
    }

    /// <summary>Decoded bytes held by the finished entries.</summary>
    public long UsedBytes
    {
        get
        {
            lock (gate) return usedBytes;
        }
    }

    /// <summary>Entries held, including any still being read.</summary>
    public int Count
    {
        get
        {
            lock (gate) return entries.Count;
        }
    }

    /// <summary>The arrays decoded from <paramref name="files"/>, from the cache when they have not changed since, else read with <paramref name="read"/>.</summary>
    /// <param name="variant">How the files are decoded when that is not fixed by the files alone (token windows: their length and stride); part of the key.</param>
    public DatasetArrays GetOrRead(IReadOnlyList<string> files, Func<DatasetArrays> read, string variant = "")
    {
        var key = string.Join('\n', files) + '\n' + variant;
        var stamp = Stamp(files);
        LinkedListNode<Entry>? node = null;
        lock (gate)
        {
            if (capacityBytes > 0)
            {
                if (entries.TryGetValue(key, out var held) && held.Value.Stamp == stamp)
                {
                    recency.Remove(held);
                    recency.AddFirst(held);
                    node = held;
                }
                else
                {
                    if (held is not null) Remove(held);
                    // Lazy, so that concurrent requests for the same files wait for one decoding instead of each reading.
                    node = recency.AddFirst(new Entry(key, stamp, new Lazy<DatasetArrays>(read, LazyThreadSafetyMode.ExecutionAndPublication)));
                    entries[key] = node;
                }
            }
        }
        if (node is null) return read();

        DatasetArrays arrays;
        try
        {
            arrays = node.Value.Arrays.Value;
        }
        catch
        {
            // A failed read is not remembered: the files may be fixed (or finish copying) without changing their stamp.
            lock (gate)
            {
                if (IsHeld(node)) Remove(node);
            }
            throw;
        }
        lock (gate)
        {
            if (IsHeld(node) && node.Value.Bytes is null)
            {
                node.Value.Bytes = DecodedBytes(arrays);
                usedBytes += node.Value.Bytes.Value;
                if (node.Value.Bytes > capacityBytes) Remove(node);
                EvictToCapacity();
            }
        }
        return arrays;
    }

    /// <summary>One line for -Verbose: how full the cache is.</summary>
    public string Describe()
    {
        lock (gate)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Dataset cache: {Mebibytes(usedBytes):0.#} MiB of {Mebibytes(capacityBytes):0.#} MiB used, {entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}.");
        }
    }

    /// <summary>What an entry costs: its input (pixels or tokens) and label arrays.</summary>
    public static long DecodedBytes(DatasetArrays arrays) =>
        (long)arrays.Inputs.Length * sizeof(float) + (long)(arrays.Tokens?.Length ?? 0) * sizeof(long) + (long)arrays.Labels.Length * sizeof(long);

    private static double Mebibytes(long bytes) => bytes / (1024.0 * 1024.0);

    private bool IsHeld(LinkedListNode<Entry> node) => node.List is not null;

    private void EvictToCapacity()
    {
        var candidate = recency.Last;
        while (usedBytes > capacityBytes && candidate is not null)
        {
            var older = candidate.Previous;
            // An entry still being read has no size yet; it is weighed (and possibly dropped) when its read ends.
            if (candidate.Value.Bytes is not null) Remove(candidate);
            candidate = older;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        recency.Remove(node);
        entries.Remove(node.Value.Key);
        usedBytes -= node.Value.Bytes ?? 0;
    }

    private static string Stamp(IReadOnlyList<string> files) =>
        string.Join('\n', files.Select(path =>
        {
            var info = new FileInfo(path);
            return string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        }));

    private sealed class Entry(string key, string stamp, Lazy<DatasetArrays> arrays)
    {
        public string Key { get; } = key;

        public string Stamp { get; } = stamp;

        public Lazy<DatasetArrays> Arrays { get; } = arrays;

        /// <summary>Null while the files are being read.</summary>
        public long? Bytes { get; set; }
    }
}
