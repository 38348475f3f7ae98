using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;

namespace LossLandscape.Shell;

/// <summary>Opens a runspace with the LossLandscape module imported, runs one script or command, and maps the outcome to an exit code.</summary>
internal sealed partial class ScriptRunner(ShellOptions options)
{
    private readonly ShellHostUserInterface _ui = new();
    private volatile bool _interrupted;

    public int Run()
    {
        var module = ModuleLocator.Locate(options.ModulePath);
        if (module.ManifestPath is null)
        {
            return ModuleImportFailed(module, "no LossLandscape.psd1 there");
        }

        AddToModulePath(module.ManifestPath);
        var host = new ShellHost(_ui);
        var sessionState = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(host, sessionState);
        runspace.Open();

        var importError = Import(runspace, module.ManifestPath);
        if (importError is not null)
        {
            return ModuleImportFailed(module, importError);
        }

        // A script that does not parse would otherwise surface as a puzzling error about '&' and a null script block.
        if (options.ScriptPath is not null && !Parses(options.ScriptPath))
        {
            return ExitCodes.ScriptFailed;
        }

        using var pipeline = PowerShell.Create();
        pipeline.Runspace = runspace;
        pipeline.AddScript(options.CommandText ?? ScriptInvocation(options.ScriptPath!, options.ScriptArguments));
        foreach (var argument in options.CommandArguments) pipeline.AddArgument(argument);
        pipeline.AddCommand("Out-Default");
        pipeline.Streams.Error.DataAdded += (_, e) => _ui.WriteErrorLine(ErrorRecordFormatter.Format(pipeline.Streams.Error[e.Index]));

        ConsoleCancelEventHandler stop = (_, e) =>
        {
            // Let the pipeline unwind (finally blocks, checkpoints being written) instead of killing the process.
            e.Cancel = true;
            _interrupted = true;
            pipeline.BeginStop(null, null);
        };
        Console.CancelKeyPress += stop;
        try
        {
            pipeline.Invoke();
        }
        catch (RuntimeException exception) when (!_interrupted)
        {
            _ui.WriteErrorLine(ErrorRecordFormatter.Format(exception.ErrorRecord));
            return ExitCodes.ScriptFailed;
        }
        catch (RuntimeException)
        {
            // Stopping the pipeline surfaces as PipelineStoppedException or as whatever a cmdlet threw on the way out.
        }
        finally
        {
            Console.CancelKeyPress -= stop;
        }

        if (_interrupted)
        {
            _ui.WriteErrorLine("losslandscape: stopped by Ctrl+C.");
            return ExitCodes.Interrupted;
        }

        if (host.RequestedExitCode is { } exitCode)
        {
            return exitCode;
        }

        // As in pwsh: -Command reports whether its last pipeline succeeded; -File succeeds unless the script threw or called exit.
        return options.CommandText is not null && pipeline.HadErrors ? ExitCodes.ScriptFailed : ExitCodes.Success;
    }

    /// <summary>
    /// Runs the file through its script block instead of by path. Invoked by path, <c>exit N</c> only ends the
    /// script and sets $LASTEXITCODE, indistinguishable from a native command's exit code; pwsh gets around
    /// that with an engine-internal switch. Through the script block, exit reaches the host's SetShouldExit,
    /// while $PSScriptRoot and $PSCommandPath still come from the file. The arguments are spliced into the
    /// text so that the parser binds them exactly as pwsh -File does: -Name value, -Switch, positionals.
    /// </summary>
    private static string ScriptInvocation(string scriptPath, IReadOnlyList<string> arguments)
    {
        var command = $"& (Get-Command -Name {Quote(Path.GetFullPath(scriptPath))} -CommandType ExternalScript).ScriptBlock";
        return string.Join(' ', arguments.Select(ScriptArgument).Prepend(command));
    }

    private static string ScriptArgument(string argument)
    {
        if (ParameterName().IsMatch(argument))
        {
            return argument;
        }

        var withValue = ParameterWithValue().Match(argument);
        if (!withValue.Success)
        {
            return Quote(argument);
        }

        // pwsh -File passes -Switch:$false and -Switch:$true through as booleans.
        var value = withValue.Groups["value"].Value;
        var literal = value.Equals("$true", StringComparison.OrdinalIgnoreCase) || value.Equals("$false", StringComparison.OrdinalIgnoreCase)
            ? value
            : Quote(value);
        return withValue.Groups["name"].Value + ":" + literal;
    }

    private bool Parses(string scriptPath)
    {
        Parser.ParseFile(Path.GetFullPath(scriptPath), out _, out var errors);
        foreach (var error in errors)
        {
            _ui.WriteErrorLine(ErrorRecordFormatter.Format(error));
        }

        return errors.Length == 0;
    }

    private static string Quote(string text) => "'" + CodeGeneration.EscapeSingleQuotedStringContent(text) + "'";

    private static string? Import(Runspace runspace, string manifestPath)
    {
        using var import = PowerShell.Create();
        import.Runspace = runspace;
        import.AddCommand("Import-Module").AddParameter("Name", manifestPath).AddParameter("ErrorAction", ActionPreference.Stop);
        try
        {
            import.Invoke();
            return null;
        }
        catch (RuntimeException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>So that <c>Import-Module LossLandscape</c> or <c>#requires -Modules LossLandscape</c> in a script finds the copy the shell loaded.</summary>
    private static void AddToModulePath(string manifestPath)
    {
        var root = ModuleLocator.ModuleSearchRoot(manifestPath);
        if (root is not null)
        {
            var current = Environment.GetEnvironmentVariable("PSModulePath");
            Environment.SetEnvironmentVariable("PSModulePath", string.IsNullOrEmpty(current) ? root : root + Path.PathSeparator + current);
        }
    }

    private int ModuleImportFailed(ModuleLocation module, string reason)
    {
        _ui.WriteErrorLine(
            $"losslandscape: cannot import the LossLandscape module from '{module.Path}' (chosen by {module.Origin}): {reason.TrimEnd('.')}. " +
            $"Build it with 'dotnet build', or point -Module or ${ModuleLocator.EnvironmentVariable} at its .psd1 file or folder.");
        return ExitCodes.ModuleImportFailed;
    }

    [GeneratedRegex(@"^-[\p{L}_][\p{L}\p{N}_]*$")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"^(?<name>-[\p{L}_][\p{L}\p{N}_]*):(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex ParameterWithValue();
}
