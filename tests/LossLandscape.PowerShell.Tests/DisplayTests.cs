using System.Xml.Linq;

namespace LossLandscape.PowerShell.Tests;

/// <summary>How surfaces and their directions read when printed: the module's views and ToString.</summary>
public sealed class DisplayTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public DisplayTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 60 -Seed 3 -OutputDirectory $dir | Out-Null", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = run.Combine("epoch-001.dat"), ["out"] = run.Combine("surface.h5") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void AnImportedSurfaceHasNoElapsedTimeAndItsViewSaysUnknownNotZero()
    {
        var column = ViewColumn("LossLandscape.Surface", "Elapsed");
        variables["column"] = column;

        var result = shell.Invoke("""
            $computed = Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $out
            $imported = Import-LossSurface $out
            $null -eq $computed.Elapsed; $null -eq $imported.Elapsed
            $computed | ForEach-Object ([scriptblock]::Create($column))
            $imported | ForEach-Object ([scriptblock]::Create($column))
            """, variables).ShouldSucceed();

        Assert.Equal([false, true], result.Output.Take(2).Select(o => (bool)o.BaseObject));
        Assert.Matches(@"^\d+\.\d s$", result.Output[2].ToString());
        Assert.Equal("unknown", result.Output[3].ToString());
    }

    [Fact]
    public void ACheckpointOfAStepRunShowsItsStepWhereAnEpochRunsShowsItsEpoch()
    {
        variables["column"] = ViewColumn("LossLandscape.Checkpoint", "Epoch");
        using var steps = new TempDirectory();
        variables["steps"] = steps.Path;

        var result = shell.Invoke("""
            $byStep = @(Invoke-LandscapeTraining -Model Mlp -Steps 2 -MaxSamples 60 -Seed 3 -OutputDirectory $steps)[-1]
            $byStep | ForEach-Object ([scriptblock]::Create($column))
            Import-Checkpoint $ckpt | ForEach-Object ([scriptblock]::Create($column))
            """, variables).ShouldSucceed();

        Assert.Equal(["step 2", "1"], result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void SurfaceDirectionsReadAsRecipesNotAsARecordDump()
    {
        var view = View("LossLandscape.SurfaceDirection");
        Assert.Equal("LossLandscape.Core.Surfaces.SurfaceDirectionInfo", view.Descendants("TypeName").First().Value);
        variables["columns"] = view.Descendants("TableColumnItem").Select(item => item.Element("ScriptBlock")?.Value ?? "$_." + item.Element("PropertyName")!.Value).ToArray();

        var result = shell.Invoke("""
            $d = (Import-Checkpoint $ckpt | Get-LossSurface -Steps 3).Directions
            "$($d[0])"; "$d"
            foreach ($c in $columns) { ($d[1] | ForEach-Object ([scriptblock]::Create($c))) -join '' }
            """, variables).ShouldSucceed();

        var text = result.Output.Select(o => o.ToString()).ToArray();
        Assert.Matches(@"^random seed 123 axis x, Filter, bias/BN zeroed \(‖d‖ = [0-9.]+, SHA-256 [0-9a-f]{12}\)$", text[0]);
        Assert.DoesNotContain("SurfaceDirectionInfo", text[1]);
        Assert.Equal("y", text[2]);
        Assert.Equal(["Random", "Filter", "123"], text[3..6]);
        Assert.Matches(@"^[0-9a-f]{12}$", text[7]);
    }

    [Fact]
    public void ADirectionReadFromAForeignFileShowsNoSeedAndAnUnknownNormalization()
    {
        variables["cnn"] = run.Combine("cnn");
        variables["paper"] = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "PaperFiles", "digits_weights.h5");
        variables["seed"] = ViewColumn("LossLandscape.Direction", "Seed");
        variables["normalization"] = "$_." + View("LossLandscape.Direction").Descendants("TableColumnItem").ElementAt(2).Element("PropertyName")!.Value;

        var result = shell.Invoke("""
            $c = (Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 60 -OutputDirectory $cnn)[-1]
            $foreign = (Import-LandscapeDirection -Path $paper -Checkpoint $c)[0]
            $random = ($c | New-LandscapeDirection -Dimensions 1)[0]
            foreach ($d in $foreign, $random) { "$($d | ForEach-Object ([scriptblock]::Create($seed)))|$($d | ForEach-Object ([scriptblock]::Create($normalization)))" }
            """, variables).ShouldSucceed();

        Assert.Equal(["|Unknown", "123|Filter"], result.Output.Select(o => o.ToString()));
    }

    private static XElement View(string name) =>
        XDocument.Load(Path.Combine(ModuleRunspace.RepoRoot, "module", "LossLandscape.Format.ps1xml"))
            .Descendants("View").Single(v => v.Element("Name")!.Value == name);

    /// <summary>The script block of the column headed <paramref name="label"/> in the table view <paramref name="viewName"/>.</summary>
    private static string ViewColumn(string viewName, string label)
    {
        var view = View(viewName);
        var index = view.Descendants("TableColumnHeader").Select(h => h.Element("Label")?.Value).ToList().IndexOf(label);
        return view.Descendants("TableColumnItem").ElementAt(index).Element("ScriptBlock")!.Value;
    }
}
