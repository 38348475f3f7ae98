namespace LossLandscape.HelpBuilder;

/// <summary>
/// docs/help/awaiting-merge.txt: help written ahead of a branch that adds the cmdlet or parameter.
/// Lines are "Verb-Noun" (a help file without its cmdlet yet) or "Verb-Noun -Parameter" (a documented
/// parameter the cmdlet lacks yet); the build skips these instead of failing, and fails once they exist,
/// so the list is emptied when that branch is merged.
/// </summary>
public sealed record PendingList(HashSet<string> Commands, HashSet<string> Parameters)
{
    public const string FileName = "awaiting-merge.txt";

    public static PendingList Read(string file)
    {
        var entries = File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : [];
        return new PendingList(
            entries.Where(e => !e.Contains(' ')).ToHashSet(StringComparer.OrdinalIgnoreCase),
            entries.Where(e => e.Contains(' ')).ToHashSet(StringComparer.OrdinalIgnoreCase));
    }
}
