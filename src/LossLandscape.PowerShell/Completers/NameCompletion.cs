using System.Management.Automation;

namespace LossLandscape.PowerShell.Completers;

internal static class NameCompletion
{
    public static IEnumerable<CompletionResult> Complete(IEnumerable<string> names, string wordToComplete)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return names
            .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}
