namespace LossLandscape.Plotting;

/// <summary>
/// Writes a whole file or nothing: the bytes go to a temporary file in the same folder, which then
/// replaces the target, so a failure (full disk, a crash) never leaves a half-written file behind.
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, creating its folder when missing.</summary>
    /// <returns>The full path written.</returns>
    public static string WriteAllBytes(string path, byte[] content)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        string temporaryPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporaryPath, content);
            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporaryPath))
                File.Delete(temporaryPath);
        }
        return fullPath;
    }

    /// <summary>
    /// Throws unless <paramref name="path"/> is non-empty and ends in one of <paramref name="extensions"/>
    /// (compared ignoring case), so a mistyped name fails before any work is done.
    /// </summary>
    public static void RequireExtension(string path, string kind, params string[] extensions)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"The {kind} path is empty.", nameof(path));
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (!extensions.Contains(extension))
        {
            throw new ArgumentException(
                $"Cannot write '{path}': the extension '{extension}' is not supported; use {string.Join(" or ", extensions)}.", nameof(path));
        }
    }
}
