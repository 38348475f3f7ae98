using System.Diagnostics;

namespace LossLandscape.Shell.Tests;

internal sealed record ShellResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs the built shell as a child process, the way users and batch jobs run it.</summary>
internal static class ShellProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // The shell is a project reference, so its losslandscape.dll is copied next to the test assembly.
    private static readonly string ShellAssembly = Path.Combine(AppContext.BaseDirectory, "losslandscape.dll");

    public static ShellResult Run(params string[] arguments) => RunIn(null, DefaultTimeout, arguments);

    /// <summary>Starts the shell without waiting, for tests that kill it.</summary>
    public static Process Start(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(ShellAssembly);
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Remove("LOSSLANDSCAPE_MODULE");
        var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs one shell per argument list, all at once (each on its own thread), and waits for all of them.</summary>
    public static ShellResult[] RunConcurrentlyIn(string workingDirectory, TimeSpan timeout, IEnumerable<string[]> argumentLists)
    {
        var runs = argumentLists.Select(arguments => Task.Factory.StartNew(() => RunIn(workingDirectory, timeout, arguments), TaskCreationOptions.LongRunning)).ToArray();
        return Task.WhenAll(runs).GetAwaiter().GetResult();
    }

    public static ShellResult RunIn(string? workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunWithEnvironment(workingDirectory, timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the shell with <paramref name="environment"/> added to this process's environment (e.g. SLURM_CONF).</summary>
    public static ShellResult RunWithEnvironment(string? workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(ShellAssembly);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The module must come from the build output, whatever the developer's environment points at.
        startInfo.Environment.Remove("LOSSLANDSCAPE_MODULE");
        foreach (var (name, value) in environment) startInfo.Environment[name] = value;

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"losslandscape {string.Join(' ', arguments)} ran longer than {timeout}.");
        }

        return new ShellResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
