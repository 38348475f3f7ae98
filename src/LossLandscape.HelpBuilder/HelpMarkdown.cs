using System.Text.RegularExpressions;

namespace LossLandscape.HelpBuilder;

/// <summary>One help file, docs/help/&lt;Verb-Noun&gt;.md, in platyPS's markdown layout.</summary>
public sealed record CommandDoc(
    string File,
    string Title,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<ExampleDoc> Examples,
    IReadOnlyDictionary<string, ParameterDoc> Parameters,
    IReadOnlyList<TypeDoc> Inputs,
    IReadOnlyList<TypeDoc> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<LinkDoc> Links);

public sealed record ExampleDoc(string Title, string? Code, IReadOnlyList<string> Remarks);

/// <summary>A parameter's text; <paramref name="DefaultValue"/> only where a "Default value:" line overrides the one read from the cmdlet.</summary>
public sealed record ParameterDoc(string Name, IReadOnlyList<string> Description, string? DefaultValue);

public sealed record TypeDoc(string Name, IReadOnlyList<string> Description);

public sealed record LinkDoc(string Text, string Uri);

/// <summary>
/// Reads the markdown of the help files: "# Name", "## SECTION" and "### Item" headings outside code
/// fences, prose as paragraphs. Only what the help needs; this is not a general markdown parser.
/// </summary>
public static partial class HelpMarkdown
{
    private const string DefaultValuePrefix = "Default value:";

    public static CommandDoc ReadCommand(string file)
    {
        var document = Parse(File.ReadAllLines(file));
        string[] Section(string name) => document.Sections.TryGetValue(name, out var lines) ? lines : [];

        var examples = Subsections(Section("EXAMPLES")).Select(s => ReadExample(s.Heading, s.Lines)).ToList();
        var parameters = new Dictionary<string, ParameterDoc>(StringComparer.OrdinalIgnoreCase);
        foreach (var (heading, lines) in Subsections(Section("PARAMETERS")))
        {
            var name = heading.TrimStart('-');
            var defaultLine = lines.FirstOrDefault(l => l.StartsWith(DefaultValuePrefix, StringComparison.Ordinal));
            parameters[name] = new ParameterDoc(name, Paragraphs(lines.Where(l => l != defaultLine)), defaultLine?[DefaultValuePrefix.Length..].Trim());
        }
        return new CommandDoc(
            file,
            document.Title,
            Paragraphs(Section("SYNOPSIS")),
            Paragraphs(Section("DESCRIPTION")),
            examples,
            parameters,
            Subsections(Section("INPUTS")).Select(s => new TypeDoc(s.Heading, Paragraphs(s.Lines))).ToList(),
            Subsections(Section("OUTPUTS")).Select(s => new TypeDoc(s.Heading, Paragraphs(s.Lines))).ToList(),
            Paragraphs(Section("NOTES")),
            Links(Section("RELATED LINKS")));
    }

    /// <summary>The about_ topic as the plain text Get-Help prints: section names in capitals, text indented and wrapped at 80 columns.</summary>
    public static string RenderAboutTopic(string file)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var paragraph = new List<string>();
        void Flush()
        {
            if (paragraph.Count == 0) return;
            var item = paragraph[0].StartsWith("- ", StringComparison.Ordinal);
            foreach (var line in Wrap(Inline(string.Join(" ", paragraph)), 76, item ? 2 : 0)) writer.WriteLine("    " + line);
            paragraph.Clear();
        }
        var inFence = false;
        foreach (var line in File.ReadAllLines(file))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inFence = !inFence;
                continue;
            }
            if (inFence) writer.WriteLine("        " + line);
            else if (line.StartsWith("# ", StringComparison.Ordinal)) writer.WriteLine($"TOPIC\n    {line[2..].Trim()}");
            else if (line.StartsWith("## ", StringComparison.Ordinal)) writer.WriteLine(line[3..].Trim().ToUpperInvariant());
            else if (line.Trim().Length == 0)
            {
                Flush();
                writer.WriteLine();
            }
            else
            {
                if (line.StartsWith("- ", StringComparison.Ordinal)) Flush();
                paragraph.Add(line.Trim());
            }
        }
        Flush();
        return writer.ToString();
    }

    private static IEnumerable<string> Wrap(string text, int width, int hangingIndent)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = new string(' ', hangingIndent) + word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        if (line.Length > 0) yield return line;
    }

    private sealed record Document(string Title, Dictionary<string, string[]> Sections);

    private static Document Parse(string[] lines)
    {
        var title = "";
        var sections = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        string? current = null;
        var body = new List<string>();
        var inFence = false;
        void Close()
        {
            if (current is not null) sections[current] = [.. body];
            body.Clear();
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("# ", StringComparison.Ordinal)) title = line[2..].Trim();
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Close();
                current = line[3..].Trim();
            }
            else body.Add(line);
        }
        Close();
        return new Document(title, sections);
    }

    private static IEnumerable<(string Heading, string[] Lines)> Subsections(string[] lines)
    {
        string? heading = null;
        var body = new List<string>();
        var inFence = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                if (heading is not null) yield return (heading, [.. body]);
                heading = line[4..].Trim();
                body.Clear();
            }
            else if (heading is not null) body.Add(line);
        }
        if (heading is not null) yield return (heading, [.. body]);
    }

    private static ExampleDoc ReadExample(string heading, string[] lines)
    {
        var start = Array.FindIndex(lines, l => l.StartsWith("```", StringComparison.Ordinal));
        if (start < 0) return new ExampleDoc(heading, null, Paragraphs(lines));
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        if (end < 0) end = lines.Length;
        var code = string.Join("\n", lines[(start + 1)..end]);
        var remarks = lines[..start].Concat(lines[Math.Min(end + 1, lines.Length)..]);
        return new ExampleDoc(heading, code, Paragraphs(remarks));
    }

    /// <summary>Blank-line separated blocks become paragraphs, each list item its own; code blocks keep their lines.</summary>
    public static List<string> Paragraphs(IEnumerable<string> lines)
    {
        var paragraphs = new List<string>();
        var block = new List<string>();
        var inFence = false;
        void Flush()
        {
            if (block.Count > 0) paragraphs.Add(string.Join(" ", block));
            block.Clear();
        }
        foreach (var raw in lines)
        {
            if (raw.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inFence = !inFence;
                if (inFence) paragraphs.Add("");
                continue;
            }
            if (inFence)
            {
                paragraphs[^1] = paragraphs[^1].Length == 0 ? "    " + raw : paragraphs[^1] + "\n    " + raw;
                continue;
            }
            var line = raw.Trim();
            if (line.Length == 0)
            {
                Flush();
                continue;
            }
            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal)) Flush();
            block.Add(Inline(line));
        }
        Flush();
        return paragraphs.Where(p => p.Length > 0).ToList();
    }

    private static List<LinkDoc> Links(string[] lines) =>
        lines.Select(l => l.Trim().TrimStart('-', '*').Trim())
            .Where(l => l.Length > 0)
            .Select(l => LinkPattern().Match(l) is { Success: true } m
                ? new LinkDoc(m.Groups[1].Value, m.Groups[2].Value.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? "" : m.Groups[2].Value)
                : new LinkDoc(l, ""))
            .ToList();

    /// <summary>Console help has no markup: links keep their text, emphasis and code marks go.</summary>
    private static string Inline(string text) => LinkPattern().Replace(text, "$1").Replace("**", "").Replace("`", "");

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)]*)\)")]
    private static partial Regex LinkPattern();
}
