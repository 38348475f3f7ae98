using System.Globalization;
using System.Management.Automation.Host;

namespace LossLandscape.Shell;

/// <summary>
/// The engine prints nothing and cannot honour <c>exit</c> without a host; this one routes output to the
/// console and records the exit code a script asks for.
/// </summary>
internal sealed class ShellHost(ShellHostUserInterface ui) : PSHost
{
    public override string Name => "LossLandscape";

    public override Version Version { get; } = typeof(ShellHost).Assembly.GetName().Version ?? new Version(0, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => ui;

    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    /// <summary>The code from <c>exit N</c>, or null while no script has called exit.</summary>
    public int? RequestedExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => RequestedExitCode = exitCode;

    public override void EnterNestedPrompt() =>
        throw new NotSupportedException("The LossLandscape shell runs scripts non-interactively and has no nested prompt.");

    public override void ExitNestedPrompt() =>
        throw new NotSupportedException("The LossLandscape shell runs scripts non-interactively and has no nested prompt.");

    // Console hosts save and restore the console mode around native programs; this host never changes it.
    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}
