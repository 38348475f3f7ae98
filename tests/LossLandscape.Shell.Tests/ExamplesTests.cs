using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LossLandscape.Shell.Tests;

/// <summary>Every example script users copy runs through the shell, in a fresh folder, and succeeds.</summary>
public sealed class ExamplesTests
{
    private const string MainExample = "train-digits.ps1";

    // Sourced by every plot example, so it runs in each of their tests.
    private const string SharedSetup = "new-example-surface.ps1";

    private static string RepoRoot =>
        typeof(ExamplesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LossLandscapeRepoRoot").Value!;

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        // The main example has its own test below, with assertions on what it prints and writes; the
        // paper reproduction runs for half an hour by default and has its own test of its tiny version.
        var paper = Path.Combine(RepoRoot, "examples", "paper") + Path.DirectorySeparatorChar;
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot, "examples"), "*.ps1", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(MainExample, StringComparison.Ordinal) && !f.EndsWith(SharedSetup, StringComparison.Ordinal) && !f.StartsWith(paper, StringComparison.Ordinal)).Order())
        {
            data.Add(Path.GetRelativePath(RepoRoot, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleRunsThroughTheShell(string example)
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-example-");
        try
        {
            var result = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(5), "-File", Path.Combine(RepoRoot, example));
            Assert.True(result.ExitCode == 0, $"{example} exited {result.ExitCode}:\n{result.StdErr}\n{result.StdOut}");
            foreach (Match plot in Regex.Matches(result.StdOut, "^Plot: (.+)$", RegexOptions.Multiline))
            {
                PlotFile.AssertReadable(plot.Groups[1].Value.Trim());
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void MainExampleTrainsToNinetyFivePercentAndDrawsTheLandscape()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-main-");
        try
        {
            var result = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(5), "-File", Path.Combine(RepoRoot, "examples", "train-digits.ps1"));
            Assert.True(result.ExitCode == 0, result.StdErr);

            var accuracy = Regex.Match(result.StdOut, @"test accuracy (\d+\.\d+)%");
            Assert.True(accuracy.Success, result.StdOut);
            Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) >= 95.0, accuracy.Value);
            Assert.Contains("Epoch", result.StdOut);
            Assert.Contains("DigitsCnn", result.StdOut);
            var run = Path.Combine(folder.FullName, "runs", "digits-cnn");
            for (var epoch = 0; epoch <= 10; epoch++)
            {
                Assert.True(File.Exists(Path.Combine(run, $"epoch-{epoch:D3}.dat")));
            }
            foreach (var plot in new[] { "DigitsCnn-epoch010-1d.png", "DigitsCnn-epoch010-2d-lines.png", "DigitsCnn-epoch010-2d-filled.png", "DigitsCnn-trajectory-pca.png" })
            {
                Assert.Contains($"Plot: {Path.Combine(run, "plots", plot)}", result.StdOut);
                Assert.True(new FileInfo(Path.Combine(run, "plots", plot)).Length > 10_000);
            }
            Assert.True(File.Exists(Path.Combine(run, "surface-2d-51.h5")));
            Assert.Contains("51×51", result.StdOut);
            Assert.Matches(@"Explained variance ratio of the PCA directions: \d+\.\d %, \d+\.\d %", result.StdOut);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
