using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LossLandscape.Shell.Tests;

/// <summary>
/// examples/paper reproduces the paper's findings; its full run takes about half an hour, so the test
/// runs the tiny version of every script through the driver, so that none of them rots.
/// </summary>
public sealed class PaperExamplesTests
{
    private static string RepoRoot =>
        typeof(PaperExamplesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LossLandscapeRepoRoot").Value!;

    [Fact]
    public void TinyReportHasEveryClaimWithFiniteNumbersAndItsFigures()
    {
        var folder = Directory.CreateTempSubdirectory("losslandscape-paper-");
        try
        {
            var report = Path.Combine(folder.FullName, "REPORT.md");
            var result = ShellProcess.RunIn(folder.FullName, TimeSpan.FromMinutes(4), "-File", Path.Combine(RepoRoot, "examples", "paper", "Build-Report.ps1"),
                "-Tiny", "-OutputDirectory", Path.Combine(folder.FullName, "out"), "-ReportPath", report);
            Assert.True(result.ExitCode == 0, $"Build-Report.ps1 -Tiny exited {result.ExitCode}:\n{result.StdErr}\n{result.StdOut}");

            var text = File.ReadAllText(report);
            for (var claim = 1; claim <= 4; claim++)
            {
                Assert.Contains($"## Claim {claim} — ", text);
            }
            Assert.Equal(4, Regex.Matches(text, @"^\*\*Verdict\.\*\* \S", RegexOptions.Multiline).Count);

            // Claim 1: a sharpness mean ± sd per run, finite, the sd not negative.
            var sharpness = Regex.Matches(text, @"\| (-?\d+\.\d{3}) ± (\d+\.\d{3}) \|");
            Assert.Equal(4, sharpness.Count);
            Assert.All(sharpness, m => Assert.True(double.IsFinite(Number(m.Groups[1].Value))));
            // Claim 2: local minima counts and the non-convex fraction in percent.
            var roughness = Regex.Matches(text, @"^\| ResNet20(NoShort)? \| [^|]+ \| [^|]+ \| [^|]+ \| (\d+) \| (\d+\.\d) \|", RegexOptions.Multiline);
            Assert.Equal(2, roughness.Count);
            Assert.All(roughness, m => Assert.InRange(Number(m.Groups[3].Value), 0, 100));
            // Claim 3: the two components' explained variance of six runs, in (0, 100] percent.
            var variance = Regex.Matches(text, @"^\| (digits|patterns)-\S+ \| \S+ \| \d+ \| \S+ \| (\d+\.\d) \| (\d+\.\d) \| (\d+\.\d) \|$", RegexOptions.Multiline);
            Assert.Equal(6, variance.Count);
            Assert.All(variance, m => Assert.InRange(Number(m.Groups[4].Value), 0.1, 100.0));
            // Claim 4: the ratio at θ* is a ratio of magnitudes.
            var ratio = Regex.Match(text, @"\| &#124;λmin/λmax&#124; at θ\* \| (\d+\.\d+) \|");
            Assert.True(ratio.Success, text);
            Assert.InRange(Number(ratio.Groups[1].Value), 0.0, 1.0);

            var figures = Regex.Matches(text, @"\]\((figures/[^)]+\.png)\)").Select(m => m.Groups[1].Value).Distinct().ToArray();
            Assert.Equal(16, figures.Length);
            foreach (var figure in figures)
            {
                PlotFile.AssertReadable(Path.Combine(folder.FullName, figure));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
