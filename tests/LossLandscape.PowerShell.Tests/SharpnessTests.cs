using System.Globalization;
using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Get-LandscapeSharpness on a small digits CNN: the object, determinism, and the sweep file.</summary>
public sealed class SharpnessTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private const string Measure = "Get-LandscapeSharpness -MaxSamples 24 -BatchSize 12 -Samples 4 -Iterations 4 -Restarts 2 -Seed 5";
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public SharpnessTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 48 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = Path.Combine(run.Path, "epoch-001.dat"), ["csv"] = Path.Combine(run.Path, "sharpness.csv") };
    }

    public void Dispose() => run.Dispose();

    private static T Get<T>(PSObject o, string name) => (T)o.Properties[name].Value;

    [Fact]
    public void TheObjectCarriesEveryMeasureWithItsDefinitionAndTheSameSeedGivesTheSameValues()
    {
        var result = shell.Invoke($"""
            $c = Import-Checkpoint $ckpt
            $c | {Measure}
            $c | {Measure}
            $c | {Measure} -IgnoreBiasAndNorm
            """, variables).ShouldSucceed();

        var (first, second, filters) = (result.Output[0], result.Output[1], result.Output[2]);
        Assert.Equal(24, Get<int>(first, "SampleCount"));
        Assert.Equal(12, Get<int>(first, "BatchSize"));
        Assert.Equal(2, Get<int>(first, "BatchCount"));
        Assert.Equal("all", Get<string>(first, "Perturbed"));
        Assert.Equal("filters", Get<string>(filters, "Perturbed"));
        Assert.True(Get<long>(filters, "Dimension") < Get<long>(first, "Dimension"));
        Assert.True(Get<double>(first, "Loss") > 0);
        // The ascent starts at δ = 0 and keeps the best value seen, so it never reports less than 0.
        Assert.True(Get<double>(first, "WorstCase") > 0);
        Assert.True(Get<double>(first, "Keskar") > 0);
        Assert.True(Get<double>(first, "AverageCaseStandardError") > 0);
        Assert.Contains("random seed 5", Get<string>(first, "Direction"));
        Assert.Contains("4 projected-gradient iterations × 2 restart(s)", Get<string>(first, "AscentSchedule"));
        var measures = (object[])first.Properties["Measures"].Value;
        Assert.Equal(["AverageCase", "WorstCase", "Keskar", "DirectionCurvature", "SecondDifference"], measures.Select(m => (string)PSObject.AsPSObject(m).Properties["Name"].Value));
        var worst = PSObject.AsPSObject(measures[1]);
        Assert.Equal(Get<double>(first, "WorstCase"), (double)worst.Properties["Value"].Value);
        Assert.Contains("‖δ ⊘ |w|‖₂ ≤ ρ", (string)worst.Properties["Definition"].Value);
        Assert.Contains("ρ = 0.1", (string)worst.Properties["Parameters"].Value);
        foreach (var name in new[] { "Loss", "AverageCase", "AverageCaseStandardError", "WorstCase", "Keskar", "DirectionCurvature", "SecondDifference" })
            Assert.Equal(Get<double>(first, name), Get<double>(second, name));
    }

    [Fact]
    public void FoldBatchNormMergesTheStatisticsKeepingTheLossAndChangingTheNormalizationPerturbation()
    {
        var result = shell.Invoke($"""
            $c = Import-Checkpoint $ckpt
            $c | {Measure} -Float64
            $c | {Measure} -Float64 -FoldBatchNorm
            """, variables).ShouldSucceed();

        var (plain, merged) = (result.Output[0], result.Output[1]);
        Assert.Equal(Get<double>(plain, "Loss"), Get<double>(merged, "Loss"), 1e-12 * Get<double>(plain, "Loss"));
        Assert.NotEqual(Get<double>(plain, "WorstCase"), Get<double>(merged, "WorstCase"));
    }

    [Fact]
    public void TheCsvFileHoldsTheObjectsValuesAndARerunKeepsItWhileOtherResultsAreRefused()
    {
        var result = shell.Invoke($"Import-Checkpoint $ckpt | {Measure} -OutFile $csv", variables).ShouldSucceed();
        var live = Assert.Single(result.Output);
        var lines = File.ReadAllLines((string)variables["csv"]!);
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var row = ParseCsvLine(lines[1]);
        double Column(string name) => double.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        Assert.Equal(Get<double>(live, "WorstCase"), Column("worst_case"));
        Assert.Equal(Get<double>(live, "AverageCase"), Column("average_case"));
        Assert.Equal(Get<double>(live, "AverageCaseStandardError"), Column("average_case_se"));
        Assert.Equal(Get<double>(live, "Keskar"), Column("keskar"));
        Assert.Equal(Get<double>(live, "DirectionCurvature"), Column("direction_curvature"));
        Assert.Equal(0.1, Column("rho"));
        Assert.Equal(12, Column("batch_size"));
        Assert.Equal((string)variables["ckpt"]!, row[Array.IndexOf(header, "checkpoint")]);

        var before = File.GetLastWriteTimeUtc((string)variables["csv"]!);
        var bytes = File.ReadAllBytes((string)variables["csv"]!);
        shell.Invoke($"Import-Checkpoint $ckpt | {Measure} -OutFile $csv", variables).ShouldSucceed();
        Assert.Equal(before, File.GetLastWriteTimeUtc((string)variables["csv"]!));

        var other = shell.Invoke($"Import-Checkpoint $ckpt | {Measure} -Rho 0.2 -OutFile $csv", variables);
        Assert.Equal("OutputFileExists,LossLandscape.PowerShell.Commands.GetLandscapeSharpnessCommand", Assert.Single(other.Errors).FullyQualifiedErrorId);
        Assert.Equal(bytes, File.ReadAllBytes((string)variables["csv"]!));
        shell.Invoke($"Import-Checkpoint $ckpt | {Measure} -Rho 0.2 -OutFile $csv -Force", variables).ShouldSucceed();
        Assert.NotEqual(bytes, File.ReadAllBytes((string)variables["csv"]!));
    }

    /// <summary>Splits one CSV line with RFC 4180 quoting (the direction's recipe contains commas).</summary>
    private static string[] ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
