using LossLandscape.Shell;

if (!ShellOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine($"losslandscape: {error}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(ShellOptions.Usage);
    return ExitCodes.Usage;
}

if (options.ShowHelp)
{
    Console.WriteLine(ShellOptions.Usage);
    return ExitCodes.Success;
}

if (options.ScriptPath is not null && !File.Exists(options.ScriptPath))
{
    Console.Error.WriteLine($"losslandscape: the script file '{options.ScriptPath}' does not exist.");
    return ExitCodes.Usage;
}

return new ScriptRunner(options).Run();
