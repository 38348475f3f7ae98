namespace LossLandscape.Shell;

/// <summary>The parsed command line. Switch names follow pwsh so that pwsh command lines carry over.</summary>
internal sealed class ShellOptions
{
    public const string Usage = """
        Usage: losslandscape [-File] <script.ps1> [script arguments...]
               losslandscape -Command <pipeline...>
               losslandscape -CommandWithArgs <pipeline> [arguments...]
               losslandscape -Help

        Runs PowerShell with the LossLandscape module imported.

          -File, -f <path>     Run a script; the remaining arguments bind to its param() block.
          -Command, -c <text>  Run the remaining arguments, joined by spaces, as PowerShell.
          -CommandWithArgs, -cwa <text> [arguments...]
                               Run <text> as PowerShell with the remaining arguments in $args,
                               each one string, never parsed as code (as pwsh 7.4+).
          -Module, -m <path>   The module to import: a .psd1 file, or a folder holding one
                               (directly or in version subfolders). Defaults to
                               $LOSSLANDSCAPE_MODULE, then Modules/LossLandscape beside the
                               shell, then the module laid out by the build.
          -NoProfile, -nop     Accepted for pwsh compatibility; profiles are never loaded.
          -Help, -h, -?        Show this text.

        Exit codes: 0 success, 1 script failed, 2 bad usage, 3 module import failed,
        130 interrupted; 'exit N' in a script exits with N.
        """;

    public string? ScriptPath { get; private init; }
    public IReadOnlyList<string> ScriptArguments { get; private init; } = [];
    public string? CommandText { get; private init; }

    /// <summary>The values of $args for <see cref="CommandText"/> (-CommandWithArgs): data, never parsed.</summary>
    public IReadOnlyList<string> CommandArguments { get; private init; } = [];
    public string? ModulePath { get; private init; }
    public bool ShowHelp { get; private init; }

    /// <summary>Parses <paramref name="args"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out ShellOptions options, out string? error)
    {
        options = new ShellOptions();
        error = null;
        string? modulePath = null;
        var showHelp = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                // pwsh treats a leading bare argument as the script file.
                options = new ShellOptions { ScriptPath = arg, ScriptArguments = args.Skip(i + 1).ToArray(), ModulePath = modulePath };
                return true;
            }

            switch (arg.TrimStart('-').ToLowerInvariant())
            {
                case "file" or "f":
                    if (i + 1 >= args.Count)
                    {
                        error = $"{arg} needs a script path.";
                        return false;
                    }

                    options = new ShellOptions { ScriptPath = args[i + 1], ScriptArguments = args.Skip(i + 2).ToArray(), ModulePath = modulePath };
                    return true;

                case "command" or "c":
                    if (i + 1 >= args.Count)
                    {
                        error = $"{arg} needs the PowerShell to run.";
                        return false;
                    }

                    options = new ShellOptions { CommandText = string.Join(' ', args.Skip(i + 1)), ModulePath = modulePath };
                    return true;

                case "commandwithargs" or "cwa":
                    if (i + 1 >= args.Count)
                    {
                        error = $"{arg} needs the PowerShell to run.";
                        return false;
                    }

                    options = new ShellOptions { CommandText = args[i + 1], CommandArguments = args.Skip(i + 2).ToArray(), ModulePath = modulePath };
                    return true;

                case "module" or "m":
                    if (i + 1 >= args.Count)
                    {
                        error = $"{arg} needs the path of the module's .psd1 file or folder.";
                        return false;
                    }

                    modulePath = args[++i];
                    break;

                case "noprofile" or "nop":
                    break;

                case "help" or "h" or "?":
                    showHelp = true;
                    break;

                default:
                    error = $"Unknown option '{arg}'.";
                    return false;
            }
        }

        if (!showHelp)
        {
            error = "Nothing to run: give -File or -Command.";
            return false;
        }

        options = new ShellOptions { ShowHelp = true, ModulePath = modulePath };
        return true;
    }
}
