namespace LossLandscape.Plotting;

/// <summary>
/// File names made from free text, such as the architecture a shared surface file names: that text
/// may hold separators, "..", a rooted path, NUL or line breaks, and must never choose where a plot lands.
/// </summary>
public static class PlotFileName
{
    /// <summary>Longest part taken from the text, so that the whole name stays within file-system limits.</summary>
    public const int MaxPartLength = 100;

    /// <summary>Used when nothing of the text is left.</summary>
    public const string EmptyPart = "surface";

    /// <summary>
    /// <paramref name="text"/> reduced to a file-name part of ASCII letters, digits, '.', '_' and '-':
    /// every other character becomes '_' and leading dots are dropped (no hidden file, no "." or "..").
    /// The result holds no separator, so joined to a folder it names a file directly inside that folder.
    /// </summary>
    public static string Part(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray()).TrimStart('.');
        if (safe.Length > MaxPartLength) safe = safe[..MaxPartLength];
        return safe.Length == 0 ? EmptyPart : safe;
    }
}
