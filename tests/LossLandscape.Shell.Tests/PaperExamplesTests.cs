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
            for (var claim = 1; claim <= 5; claim++)
            {
                Assert.Contains($"## Claim {claim} — ", text);
            }
            Assert.Equal(5, Regex.Matches(text, @"^\*\*Verdict\.\*\* \S", RegexOptions.Multiline).Count);

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
            AssertClaimFive(text);

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

    /// <summary>
    /// Claim 5: six seed × weight-decay pairs whose "large higher" column and verdict follow from the
    /// printed sharpness, and a Spearman correlation that the printed average ranks reproduce.
    /// </summary>
    private static void AssertClaimFive(string text)
    {
        var pairs = Regex.Matches(text, @"^\| [123] \| (0|5e-4) \| (-?\d+\.\d{6}) \| (-?\d+\.\d{6}) \| (yes|no) \| (\d+\.\d{2}) / (\d+\.\d{2}) \| (\d+\.\d{2}) / (\d+\.\d{2}) \| (-?\d+\.\d{2}) / (-?\d+\.\d{2}) \|$", RegexOptions.Multiline);
        Assert.Equal(6, pairs.Count);
        foreach (Match pair in pairs)
        {
            var small = Number(pair.Groups[2].Value);
            var large = Number(pair.Groups[3].Value);
            Assert.True(small >= 0 && large >= 0, pair.Value);
            // Printed to 6 decimals: a tie in print says nothing about the order of the values.
            if (small != large) Assert.Equal(large > small ? "yes" : "no", pair.Groups[4].Value);
            for (var group = 5; group <= 10; group++) Assert.InRange(Number(pair.Groups[group].Value), -100.0, 100.0);
        }
        var allLarger = pairs.All(p => p.Groups[4].Value == "yes");
        Assert.Matches(allLarger ? @"\*\*Verdict\.\*\* Agrees: the large-batch minimum" : @"\*\*Verdict\.\*\* Does not agree: the large-batch minimum", text);

        var ranks = Regex.Matches(text, @"^\| digits-\S+ \| [123] \| (-?\d+\.\d{6}) \| (\d+\.\d) \| (-?\d+\.\d{2}) \| (\d+\.\d) \|$", RegexOptions.Multiline);
        Assert.Equal(12, ranks.Count);
        var sharpnessRanks = ranks.Select(m => Number(m.Groups[2].Value)).ToArray();
        var gapRanks = ranks.Select(m => Number(m.Groups[4].Value)).ToArray();
        // Average ranks of 12 values keep the sum 1 + … + 12 = 78 however they tie.
        Assert.Equal(78.0, sharpnessRanks.Sum());
        Assert.Equal(78.0, gapRanks.Sum());

        var spearman = Regex.Match(text, @"\*\*ρ_s = (-?\d\.\d{3})\*\* \(n = 12\)");
        Assert.True(spearman.Success, text);
        var printed = Number(spearman.Groups[1].Value);
        Assert.InRange(printed, -1.0, 1.0);
        Assert.Equal(Pearson(sharpnessRanks, gapRanks), printed, 3);
        Assert.Matches(@"Run time of this claim: \d+ s", text);
    }

    private static double Pearson(double[] x, double[] y)
    {
        var meanX = x.Average();
        var meanY = y.Average();
        var xy = x.Zip(y, (a, b) => (a - meanX) * (b - meanY)).Sum();
        return xy / Math.Sqrt(x.Sum(a => (a - meanX) * (a - meanX)) * y.Sum(b => (b - meanY) * (b - meanY)));
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
