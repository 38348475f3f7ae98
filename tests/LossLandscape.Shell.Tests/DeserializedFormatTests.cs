namespace LossLandscape.Shell.Tests;

/// <summary>
/// Objects that come back from Start-Job or remoting are deserialized; they print through the
/// module's Deserialized. views like the live ones (through the shell's host, where Out-Default prints).
/// </summary>
public sealed class DeserializedFormatTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("losslandscape-format-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void DeserializedObjectsPrintThroughTheModulesViews()
    {
        var script = Path.Combine(work.FullName, "views.ps1");
        File.WriteAllText(script, """
            function RoundTrip($o) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o)) }
            $runs = [System.IO.Path]::Combine($PSScriptRoot, 'run')
            $c = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 100 -Seed 1 -OutputDirectory $runs | Where-Object Epoch -eq 2
            $pca = Import-Checkpoint ([System.IO.Path]::Combine($runs, 'epoch-*.dat')) | Get-TrajectoryPCA
            $objects = [ordered]@{
                Checkpoint = $c
                Dataset = Get-LandscapeDataset Digits
                Model = Get-LandscapeModel DigitsCnn
                Direction = ($c | New-LandscapeDirection)[0]
                Surface = $c | Get-LossSurface -Dimensions 1 -Steps 3
                Pca = $pca
                Point = $pca.Points[0]
                Spectrum = $c | Get-HessianSpectrum -MaxSamples 30 -Tolerance 1e-3
                Sharpness = $c | Get-LandscapeSharpness -MaxSamples 30 -Samples 2 -Iterations 2
            }
            foreach ($name in $objects.Keys) {
                "### $name $((RoundTrip $objects[$name]).PSTypeNames[0])"
                RoundTrip $objects[$name] | Out-Default
            }
            """);

        var result = ShellProcess.RunIn(work.FullName, TimeSpan.FromMinutes(3), "-File", script);

        Assert.True(result.ExitCode == 0, result.StdErr);
        var sections = result.StdOut.Split("### ", StringSplitOptions.RemoveEmptyEntries).ToDictionary(s => s[..s.IndexOf(' ', StringComparison.Ordinal)].Trim(), s => s);
        // A label each view has and the default property listing of a deserialized object lacks.
        var labels = new Dictionary<string, string[]>
        {
            ["Checkpoint"] = ["Deserialized.LossLandscape.PowerShell.Types.Checkpoint", "TrainAcc%", "TestAcc%"],
            ["Dataset"] = ["Deserialized.LossLandscape.PowerShell.Types.LandscapeDataset", "Classes"],
            ["Model"] = ["Deserialized.LossLandscape.PowerShell.Types.LandscapeModelInfo", "Classes", "Tensors"],
            ["Direction"] = ["Deserialized.LossLandscape.PowerShell.Types.LandscapeDirection", "Cosine", "Normalization"],
            ["Surface"] = ["Deserialized.LossLandscape.PowerShell.Types.LossSurface", "α range", "At (α, β)"],
            ["Pca"] = ["Deserialized.LossLandscape.PowerShell.Types.TrajectoryPca", "Checkpoints", "ExplainedVariance"],
            ["Point"] = ["Deserialized.LossLandscape.PowerShell.Types.TrajectoryPoint", "Epoch"],
            ["Spectrum"] = ["Deserialized.LossLandscape.PowerShell.Types.HessianSpectrum", "λmax", "|λmin/λmax|", "HVPs"],
            ["Sharpness"] = ["Deserialized.LossLandscape.PowerShell.Types.LandscapeSharpness", "WorstCase", "dᵀHd"],
        };
        foreach (var (name, expected) in labels)
        {
            Assert.True(sections.ContainsKey(name), $"no section {name} in:\n{result.StdOut}");
            Assert.All(expected, label => Assert.True(sections[name].Contains(label, StringComparison.Ordinal), $"{name} lacks '{label}':\n{sections[name]}"));
        }
    }
}
