namespace LossLandscape.Core.Common;

/// <summary>
/// Every file the tool writes is written aside and renamed over its target, so a reader (or a
/// rerun after a kill) never sees a half-written file and a failed write leaves the old one intact.
/// Temporary names are unique, so concurrent processes writing the same target do not collide.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => WriteVia(path, temporary =>
    {
        using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        write(stream);
        stream.Flush(flushToDisk: true);
    });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>For writers that only take a file name (libtorch's save, PureHDF): they write the temporary path given.</summary>
    public static void WriteVia(string path, Action<string> writeTo)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            writeTo(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
