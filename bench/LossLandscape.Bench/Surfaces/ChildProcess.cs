using System.Diagnostics;

namespace LossLandscape.Bench.Surfaces;

internal static class ChildProcess
{
    /// <summary>Runs a program to its end with its output captured; shown only when it fails.</summary>
    /// <exception cref="InvalidOperationException">The program exited with a non-zero code.</exception>
    public static void Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        // Both streams are drained at once: a child blocked on a full stderr pipe would never exit.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(" ", start.ArgumentList)} exited with code {process.ExitCode}:\n{errors.Result}{output.Result}");
    }

    /// <summary>Runs a program with the bench's own console, for output the user should see as it comes (an install).</summary>
    public static int RunVisibly(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The command that starts this program again: the apphost alone, or dotnet with the assembly.</summary>
    public static (string Program, string[] Prefix) Self()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The bench's own executable is unknown.");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(ChildProcess).Assembly.Location])
            : (processPath, []);
    }
}
