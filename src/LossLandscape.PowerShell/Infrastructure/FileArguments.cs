using System.Management.Automation;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// The files a -Path or -LiteralPath argument names: -Path expands wildcards (so a name holding
/// [ ] is a pattern there), -LiteralPath takes the name as it is written. What cannot be resolved
/// becomes a non-terminating error with the cmdlet's own id, so the other arguments are still read.
/// </summary>
internal static class FileArguments
{
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";

    /// <param name="what">What the files are, for the error when a pattern matches nothing (e.g. "surface file").</param>
    public static IReadOnlyList<string> Resolve(PSCmdlet cmdlet, string argument, bool literal, string errorId, string what)
    {
        // A name without wildcards is taken as it is, so that the reader, not the provider, says what is missing and what was expected there.
        if (literal || !WildcardPattern.ContainsWildcardCharacters(argument)) return [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument)];
        try
        {
            var files = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(argument, out _);
            if (files.Count > 0) return files;
            // A wildcard that matches nothing resolves without an exception: say so rather than read nothing.
            cmdlet.WriteError(new ErrorRecord(new FileNotFoundException($"No {what} matches '{argument}'."), errorId, ErrorCategory.ObjectNotFound, argument));
        }
        catch (ItemNotFoundException e)
        {
            cmdlet.WriteError(new ErrorRecord(e, errorId, ErrorCategory.ObjectNotFound, argument));
        }
        return [];
    }
}
