using System.Globalization;

namespace LossLandscape.Core.Data;

/// <summary>
/// Decoded data sets read from disk, kept for the life of the process so that training, evaluation and
/// every surface reuse one decoding. An entry is keyed on the files it was read from and remembers
/// their sizes and last write times: when any of them changes, the next request reads the files again
/// and replaces the entry. The arrays handed out are shared, so callers must not modify them.
/// </summary>
internal static class DatasetFileCache
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static readonly object Gate = new();

    public static DatasetArrays GetOrRead(IReadOnlyList<string> files, Func<DatasetArrays> read)
    {
        var key = string.Join('\n', files);
        var stamp = Stamp(files);
        Entry entry;
        lock (Gate)
        {
            if (!Entries.TryGetValue(key, out entry!) || entry.Stamp != stamp)
            {
                entry = new Entry(stamp, new Lazy<DatasetArrays>(read, LazyThreadSafetyMode.ExecutionAndPublication));
                Entries[key] = entry;
            }
        }
        try
        {
            return entry.Arrays.Value;
        }
        catch
        {
            // A failed read is not remembered: the files may be fixed (or finish copying) without changing their stamp.
            lock (Gate)
            {
                if (Entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry)) Entries.Remove(key);
            }
            throw;
        }
    }

    private static string Stamp(IReadOnlyList<string> files) =>
        string.Join('\n', files.Select(path =>
        {
            var info = new FileInfo(path);
            return string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        }));

    private sealed record Entry(string Stamp, Lazy<DatasetArrays> Arrays);
}
