using System.Reflection;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// The built LossLandscape shell that batch jobs run, and the module folder it should import: the
/// module that is running now, so jobs compute with the same code that submitted them.
/// </summary>
internal static class ShellLocator
{
    private const string ShellName = "losslandscape";

    /// <summary>
    /// The command line that starts the shell: the given path (the executable, or losslandscape.dll
    /// run by dotnet), else this process when it is the shell, else losslandscape on PATH; null if none.
    /// </summary>
    public static IReadOnlyList<string>? Find(string? shellPath)
    {
        if (shellPath is not null)
        {
            if (!File.Exists(shellPath)) return null;
            return shellPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [Dotnet(), shellPath] : [shellPath];
        }
        if (Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name == ShellName && Environment.ProcessPath is { } process)
        {
            return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, entry.Location] : [process];
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, ShellName)).FirstOrDefault(File.Exists);
        return onPath is null ? null : [onPath];
    }

    /// <summary>The folder holding this module's manifest (the assembly sits in it or in its bin folder).</summary>
    public static string ModuleFolder()
    {
        var folder = Path.GetDirectoryName(typeof(ShellLocator).Assembly.Location)!;
        var parent = Path.GetDirectoryName(folder);
        return parent is not null && !File.Exists(Path.Combine(folder, "LossLandscape.psd1")) && File.Exists(Path.Combine(parent, "LossLandscape.psd1")) ? parent : folder;
    }

    private static string Dotnet() =>
        Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
}
