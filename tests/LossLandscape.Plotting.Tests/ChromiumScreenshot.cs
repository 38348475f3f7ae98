using System.Diagnostics;

namespace LossLandscape.Plotting.Tests;

/// <summary>
/// Renders a local HTML file with headless Chromium, into a PNG or as the DOM its scripts leave, WebGL
/// drawn in software (SwiftShader) so it works on machines without a GPU; network access is switched off
/// so an online dependency would show.
/// </summary>
internal static class ChromiumScreenshot
{
    public const string BinaryPath = "/usr/bin/chromium";

    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    public static bool IsAvailable => File.Exists(BinaryPath);

    public static void Capture(string htmlPath, string pngPath, string profileFolder, int width, int height)
    {
        Run(htmlPath, profileFolder, width, height, $"--screenshot={pngPath}");
        if (!File.Exists(pngPath))
            throw new InvalidOperationException($"Chromium wrote no screenshot of {htmlPath}.");
    }

    /// <summary>The page's DOM as serialised after its scripts ran (and any they were tricked into running).</summary>
    public static string DumpDom(string htmlPath, string profileFolder, int width, int height) =>
        Run(htmlPath, profileFolder, width, height, "--dump-dom");

    private static string Run(string htmlPath, string profileFolder, int width, int height, string output)
    {
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (string argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            $"--user-data-dir={profileFolder}", $"--window-size={width},{height}", "--virtual-time-budget=5000",
            output, new Uri(htmlPath).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using Process chromium = Process.Start(start) ?? throw new InvalidOperationException($"{BinaryPath} did not start.");
        // Drained asynchronously: Chromium logs a lot to stderr and would block on a full pipe.
        Task<string> standardOutput = chromium.StandardOutput.ReadToEndAsync();
        Task<string> errors = chromium.StandardError.ReadToEndAsync();
        if (!chromium.WaitForExit(TimeLimit))
        {
            chromium.Kill(entireProcessTree: true);
            throw new TimeoutException($"Chromium took longer than {TimeLimit.TotalSeconds} s to render {htmlPath}.");
        }
        chromium.WaitForExit();
        if (chromium.ExitCode != 0)
            throw new InvalidOperationException($"Chromium exited with {chromium.ExitCode}:\n{standardOutput.Result}\n{errors.Result}");
        return standardOutput.Result;
    }
}
