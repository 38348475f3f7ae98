namespace LossLandscape.Shell;

/// <summary>The process exit codes the shell documents; a script's own <c>exit N</c> passes N through.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int ScriptFailed = 1;
    public const int Usage = 2;
    public const int ModuleImportFailed = 3;

    /// <summary>128 + SIGINT, what POSIX shells report for a run ended by Ctrl+C.</summary>
    public const int Interrupted = 130;
}
