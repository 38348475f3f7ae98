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
            // An example with a -Tiny switch runs its seconds-long form here; its full form is what users run.
            var script = Path.Combine(RepoRoot, example);
            string[] arguments = Regex.IsMatch(File.ReadAllText(script), @"\[switch\]\s*\$Tiny\b", RegexOptions.IgnoreCase) ? ["-File", script, "-Tiny"] : ["-File", script];
            var result = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(5), arguments);
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
    public void MainExampleRunTwiceTrainsNoEpochAndComputesNoPointTheSecondTime()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-rerun-");
        try
        {
            string[] arguments = ["-File", Path.Combine(RepoRoot, "examples", MainExample), "-Epochs", "2", "-Steps", "7", "-Verbose"];
            var first = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(5), arguments);
            Assert.True(first.ExitCode == 0, first.StdErr);
            Assert.Matches("Epoch 2: lr [^,]+, train loss", first.StdErr);
            var run = Path.Combine(folder.FullName, "runs", "digits-cnn");
            var written = Directory.GetFiles(run).Where(f => f.EndsWith(".dat") || f.EndsWith(".json") || f.EndsWith(".h5")).Order().ToArray();
            Assert.Equal(3 * 2 + 4, written.Length); // 3 checkpoints with their metadata, two random-direction surfaces, the PCA directions and their surface
            var before = written.ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), File.ReadAllBytes(f)));

            var second = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(5), arguments);
            Assert.True(second.ExitCode == 0, second.StdErr);
            Assert.Contains("All 2 epoch(s) were already in", second.StdErr);
            Assert.DoesNotMatch("Epoch 1: lr [^,]+, train loss", second.StdErr);
            Assert.Equal(3, Regex.Matches(second.StdErr, "already holds this complete surface; nothing to compute").Count);
            Assert.Contains("pca-directions.h5 already holds these principal components", second.StdErr);
            Assert.Equal(written, Directory.GetFiles(run).Where(f => f.EndsWith(".dat") || f.EndsWith(".json") || f.EndsWith(".h5")).Order().ToArray());
            foreach (var (file, (time, bytes)) in before)
            {
                Assert.Equal(time, File.GetLastWriteTimeUtc(file));
                Assert.Equal(bytes, File.ReadAllBytes(file));
            }
            Assert.Equal(Regex.Matches(first.StdOut, "^Plot: .+$", RegexOptions.Multiline).Select(m => m.Value), Regex.Matches(second.StdOut, "^Plot: .+$", RegexOptions.Multiline).Select(m => m.Value));
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
