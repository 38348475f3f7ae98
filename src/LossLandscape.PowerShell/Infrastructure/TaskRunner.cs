using System.Reflection;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// The command a surface job's tasks start on the compute nodes: the built LossLandscape shell, or
/// pwsh, importing the module that is running now (so jobs compute with the code that submitted
/// them) and calling Invoke-LossSurfaceTask. The command text is fixed; the module path and the task
/// reach it as arguments ($args), never as text.
/// </summary>
internal static class TaskRunner
{
    private const string ShellName = "losslandscape";
    private const string PwshName = "pwsh";

    /// <summary>Runs one task of the job in the current folder: $args[0] is the module manifest, $args[1] a shard index or 'merge'.</summary>
    internal const string TaskCommand =
        "$ErrorActionPreference = 'Stop'; Import-Module -Name $args[0]; " +
        "if ($args[1] -eq 'merge') { Invoke-LossSurfaceTask -JobFolder . -Merge -Verbose } else { Invoke-LossSurfaceTask -JobFolder . -ShardIndex $args[1] -Verbose }";

    /// <summary>
    /// The task command's program and arguments: <paramref name="runnerPath"/> (the shell, its .dll, or
    /// pwsh) when given; else this process when it is the shell or pwsh; else losslandscape, then pwsh,
    /// on PATH. Null when none is found.
    /// </summary>
    public static IReadOnlyList<string>? Find(string? runnerPath) => Command(runnerPath, TaskCommand);

    /// <summary>
    /// The program and arguments that run <paramref name="script"/> (whose <c>$args[0]</c> is this
    /// module's manifest) in a child shell or pwsh, found as <see cref="Find"/> finds one; arguments
    /// appended to the list arrive as <c>$args[1]</c>, …. Null when none is found.
    /// </summary>
    public static IReadOnlyList<string>? Command(string? runnerPath, string script)
    {
        var manifest = ModuleManifest();
        var program = runnerPath is not null ? Given(runnerPath) : ThisProcess() ?? OnPath(ShellName) ?? OnPath(PwshName);
        if (program is null) return null;
        return IsPwsh(program[^1])
            ? [.. program, "-NoProfile", "-NonInteractive", "-CommandWithArgs", script, manifest]
            : [.. program, "-Module", manifest, "-CommandWithArgs", script, manifest];
    }

    /// <summary>The manifest of this module (the assembly sits beside it or in its bin folder).</summary>
    public static string ModuleManifest()
    {
        var folder = Path.GetDirectoryName(typeof(TaskRunner).Assembly.Location)!;
        var parent = Path.GetDirectoryName(folder);
        var home = parent is not null && !File.Exists(Path.Combine(folder, "LossLandscape.psd1")) && File.Exists(Path.Combine(parent, "LossLandscape.psd1")) ? parent : folder;
        return Path.Combine(home, "LossLandscape.psd1");
    }

    private static string[]? Given(string path)
    {
        if (!File.Exists(path)) return null;
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [Dotnet(), path] : [path];
    }

    private static string[]? ThisProcess()
    {
        if (Environment.ProcessPath is not { } process) return null;
        // pwsh as a local .NET tool and the shell under 'dotnet run' are dotnet running their .dll.
        if (Assembly.GetEntryAssembly() is { } entry && entry.GetName().Name is { } name && (name == ShellName || IsPwsh(name)))
            return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, entry.Location] : [process];
        return null;
    }

    private static string[]? OnPath(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? name + ".exe" : name)).FirstOrDefault(File.Exists);
        return found is null ? null : [found];
    }

    private static bool IsPwsh(string program) => string.Equals(Path.GetFileNameWithoutExtension(program), PwshName, StringComparison.OrdinalIgnoreCase);

    private static string Dotnet() =>
        Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
}
