using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace LossLandscape.Shell;

/// <summary>
/// Results, Write-Host and shown information records go to stdout; errors, warnings, verbose, debug and
/// progress go to stderr, so that a script's stdout stays clean for pipes and files. The engine itself writes
/// shown information records through Write/WriteLine and hands WriteInformation every record, shown or not,
/// which is why that method keeps its no-op default. Colours are dropped: the engine's own ANSI styling
/// already marks what matters on a terminal.
/// </summary>
internal sealed class ShellHostUserInterface : PSHostUserInterface
{
    private readonly object _gate = new();
    private readonly ShellRawUserInterface _rawUI = new();
    private readonly ProgressRenderer _progress = new(Console.Error, redrawInPlace: !Console.IsErrorRedirected);

    public override PSHostRawUserInterface RawUI => _rawUI;

    public override bool SupportsVirtualTerminal => !Console.IsOutputRedirected;

    public override void Write(string value) => WriteOut(value);

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => WriteOut(value);

    public override void WriteLine(string value) => WriteOut(value + Environment.NewLine);

    public override void WriteErrorLine(string value) => WriteErr(value);

    public override void WriteWarningLine(string message) => WriteErr("WARNING: " + message);

    public override void WriteVerboseLine(string message) => WriteErr("VERBOSE: " + message);

    public override void WriteDebugLine(string message) => WriteErr("DEBUG: " + message);

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        lock (_gate)
        {
            _progress.Render(record);
        }
    }

    public override string ReadLine() => Console.ReadLine() ?? string.Empty;

    public override SecureString ReadLineAsSecureString() => throw NonInteractive();

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw NonInteractive();

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw NonInteractive();

    public override PSCredential PromptForCredential(
        string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw NonInteractive();

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw NonInteractive();

    private void WriteOut(string text)
    {
        lock (_gate)
        {
            _progress.ClearLiveLine();
            Console.Out.Write(GetOutputString(text, SupportsVirtualTerminal));
        }
    }

    private void WriteErr(string line)
    {
        lock (_gate)
        {
            _progress.ClearLiveLine();
            Console.Error.WriteLine(GetOutputString(line, !Console.IsErrorRedirected));
        }
    }

    // A batch job waiting on a prompt nobody answers would hang; failing says what is missing instead.
    private static HostException NonInteractive() =>
        new("The LossLandscape shell is non-interactive and cannot prompt; pass every value the script needs as an argument.");
}
