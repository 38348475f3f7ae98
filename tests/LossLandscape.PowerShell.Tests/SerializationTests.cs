using System.Management.Automation;
using System.Xml.Linq;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// What Start-Job and remoting rely on (a hosted engine cannot start pwsh for a real job): every
/// pipeline type survives a PSSerializer round trip, has a format view under its Deserialized. name,
/// and a deserialized object fed back to our cmdlets gives the same result as the live one.
/// </summary>
public sealed class SerializationTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private const string TypesNamespace = "LossLandscape.PowerShell.Types";

    private const string RoundTrip = """
        function RoundTrip($o) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o)) }
        """;

    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public SerializationTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 3 -MaxSamples 200 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?>
        {
            ["ckpt"] = Path.Combine(run.Path, "epoch-003.dat"),
            ["dir"] = run.Path,
            ["h5"] = Path.Combine(run.Path, "surface.h5"),
            ["job"] = Path.Combine(run.Path, "job"),
        };
        UnstartedJob.WriteManifest(Path.Combine(run.Path, "job"));
    }

    public void Dispose() => run.Dispose();

    /// <summary>The types our cmdlets declare as output, plus the ones they carry inside those.</summary>
    private string[] PipelineTypeNames()
    {
        var declared = shell.Invoke("(Get-Command -Module LossLandscape).OutputType.Name").ShouldSucceed().Output.Select(o => o.ToString());
        return declared.Where(n => n.StartsWith(TypesNamespace + ".", StringComparison.Ordinal))
            .Append($"{TypesNamespace}.TrajectoryPoint")
            .Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public void EveryPipelineTypeHasAViewUnderItsNameAndItsDeserializedNameAndItsOwnToString()
    {
        var names = PipelineTypeNames();
        Assert.Equal(
            ["Checkpoint", "HessianSpectrum", "LandscapeDataset", "LandscapeDirection", "LandscapeModelInfo", "LandscapeSetting", "LandscapeSharpness", "LossSurface", "LossSurfaceJob", "ModeConnectivity", "PermutationAlignment", "TrajectoryPca", "TrajectoryPoint"],
            names.Select(n => n[(TypesNamespace.Length + 1)..]));
        var format = XDocument.Load(Path.Combine(ModuleRunspace.RepoRoot, "module", "LossLandscape.Format.ps1xml"));
        var viewed = format.Descendants("TypeName").Select(t => t.Value.Trim()).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            Assert.Contains(name, viewed);
            Assert.Contains("Deserialized." + name, viewed);
            var declaresToString = shell.Invoke($"[{name}].GetMethod('ToString', [Type]::EmptyTypes).DeclaringType.FullName").ShouldSucceed().Output.Single().ToString();
            Assert.Equal(name, declaresToString);
        }
    }

    [Fact]
    public void EveryPipelineTypeKeepsItsKeyPropertiesThroughASerializationRoundTrip()
    {
        var result = shell.Invoke(RoundTrip + """

            $c = Import-Checkpoint $ckpt
            $live = [ordered]@{
                Checkpoint = $c
                LandscapeDataset = Get-LandscapeDataset Digits -MaxSamples 50
                LandscapeModelInfo = Get-LandscapeModel DigitsCnn
                LandscapeSetting = Get-LandscapeSetting
                LandscapeDirection = ($c | New-LandscapeDirection -Seed 4)[1]
                LossSurface = $c | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $h5
                TrajectoryPca = Import-Checkpoint $dir/epoch-*.dat | Get-TrajectoryPCA
                HessianSpectrum = $c | Get-HessianSpectrum -MaxSamples 40 -Top 2 -Tolerance 1e-3
                LandscapeSharpness = $c | Get-LandscapeSharpness -MaxSamples 40 -Samples 4 -Iterations 3
                LossSurfaceJob = Get-LossSurfaceJob $job -WarningAction SilentlyContinue
                PermutationAlignment = $c | Get-PermutationAlignment -Reference (Import-Checkpoint $dir/epoch-001.dat) -OutFile $dir/aligned.dat
                ModeConnectivity = $c | Measure-ModeConnectivity -Target (Import-Checkpoint $dir/epoch-001.dat) -Steps 3 -MaxSamples 40
            }
            $live.TrajectoryPoint = $live.TrajectoryPca.Points[1]
            foreach ($name in $live.Keys) {
                $o = $live[$name]; $d = RoundTrip $o
                $keys = @{
                    Checkpoint = 'Path', 'Sha256', 'Architecture', 'Epoch', 'TrainLoss'
                    LandscapeDataset = 'Name', 'Split', 'Count', 'MaxSamples'
                    LandscapeModelInfo = 'Name', 'Input', 'ParameterCount'
                    LandscapeSetting = 'ThreadCount', 'CudaDeviceCount'
                    LandscapeDirection = 'Sha256', 'Seed', 'Axis', 'Normalization', 'CheckpointPath'
                    LossSurface = 'Path', 'GridSize', 'MinLoss', 'CheckpointSha256'
                    TrajectoryPca = 'Path', 'FilePath'
                    HessianSpectrum = 'MinEigenvalue', 'Ratio', 'HessianVectorProducts'
                    LandscapeSharpness = 'WorstCase', 'AverageCase', 'Keskar', 'Rho', 'BatchSize', 'Dataset'
                    TrajectoryPoint = 'Name', 'X', 'Y'
                    LossSurfaceJob = 'JobFolder', 'State', 'PointCount', 'ArrayJobId', 'MergeJobId', 'OutFile'
                    PermutationAlignment = 'Path', 'UnitCount', 'Iterations', 'Converged', 'ObjectiveAfter', 'Seed'
                    ModeConnectivity = 'Barrier', 'BarrierT', 'BarrierMidpoint', 'ErrorBarrier', 'BatchNormStatistics', 'Split'
                }[$name]
                foreach ($key in $keys) { "{0}`t{1}`t{2}`t{3}" -f $name, $key, "$($o.$key)", "$($d.$key)" }
                "{0}`ttype`t{1}`t{2}" -f $name, $o.GetType().FullName, $d.PSTypeNames[0]
                "{0}`tToString`t{1}`t{2}" -f $name, "$o", "$d"
            }
            # Depth 2 (Types.ps1xml): what a PCA or a spectrum carries arrives with its properties.
            $pca = RoundTrip $live.TrajectoryPca
            "TrajectoryPca`tCheckpoint.Sha256`t{0}`t{1}" -f $live.TrajectoryPca.Checkpoint.Sha256, $pca.Checkpoint.Sha256
            "TrajectoryPca`tDirection.Sha256`t{0}`t{1}" -f ($live.TrajectoryPca.Direction.Sha256 -join ','), ($pca.Direction.Sha256 -join ',')
            "TrajectoryPca`tPoints.X`t{0}`t{1}" -f ($live.TrajectoryPca.Points.X -join ','), ($pca.Points.X -join ',')
            $spectrum = RoundTrip $live.HessianSpectrum
            "HessianSpectrum`tDirection.Sha256`t{0}`t{1}" -f ($live.HessianSpectrum.Direction.Sha256 -join ','), ($spectrum.Direction.Sha256 -join ',')
            "HessianSpectrum`tTopEigenvalues`t{0}`t{1}" -f ($live.HessianSpectrum.TopEigenvalues -join ','), ($spectrum.TopEigenvalues -join ',')
            $alignment = RoundTrip $live.PermutationAlignment
            "PermutationAlignment`tCheckpoint.Sha256`t{0}`t{1}" -f $live.PermutationAlignment.Checkpoint.Sha256, $alignment.Checkpoint.Sha256
            "PermutationAlignment`tGroups.Moved`t{0}`t{1}" -f ($live.PermutationAlignment.Groups.Moved -join ','), ($alignment.Groups.Moved -join ',')
            """, variables).ShouldSucceed();

        var rows = result.Output.Select(o => o.ToString().Split('\t')).ToArray();
        Assert.Equal(PipelineTypeNames().Select(n => n[(TypesNamespace.Length + 1)..]), rows.Select(r => r[0]).Distinct().Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            if (row[1] == "type")
            {
                Assert.Equal("Deserialized." + row[2], row[3]);
                continue;
            }
            Assert.False(string.IsNullOrEmpty(row[2]), $"{row[0]}.{row[1]} is empty on the live object");
            Assert.True(row[2] == row[3], $"{row[0]}.{row[1]}: live '{row[2]}', deserialized '{row[3]}'");
        }
    }

    [Fact]
    public void DeserializedObjectsFedBackToTheCmdletsGiveTheSameResultsAsLiveOnes()
    {
        var plots = Path.Combine(run.Path, "plots");
        Directory.CreateDirectory(plots);
        variables["livePng"] = Path.Combine(plots, "live.png");
        variables["copyPng"] = Path.Combine(plots, "copy.png");
        var result = shell.Invoke(RoundTrip + """

            $c = Import-Checkpoint $ckpt
            $dc = RoundTrip $c
            'checkpoint-by-value|{0}|{1}' -f (($c | Get-LossSurface -Dimensions 1 -Steps 3).TrainLoss -join ','), (($dc | Get-LossSurface -Dimensions 1 -Steps 3).TrainLoss -join ',')
            'checkpoint-direction|{0}|{1}' -f (($c | New-LandscapeDirection -Seed 6).Sha256 -join ','), (($dc | New-LandscapeDirection -Seed 6).Sha256 -join ',')
            $directions = $c | New-LandscapeDirection -Seed 9 -Dimensions 1
            'direction|{0}|{1}' -f (($c | Get-LossSurface -Direction $directions -Steps 3).TrainLoss -join ','), (($dc | Get-LossSurface -Direction (RoundTrip $directions[0]) -Steps 3).TrainLoss -join ',')
            $dataset = Get-LandscapeDataset Digits -Split Test -MaxSamples 60
            'dataset|{0}|{1}' -f (($c | Get-LossSurface -Dimensions 1 -Steps 3 -Dataset $dataset).TrainLoss -join ','), (($c | Get-LossSurface -Dimensions 1 -Steps 3 -Dataset (RoundTrip $dataset)).TrainLoss -join ',')
            $trajectory = Import-Checkpoint $dir/epoch-*.dat
            $pca = $trajectory | Get-TrajectoryPCA
            'pca-by-property-name|{0}|{1}' -f (($pca | Get-LossSurface -Steps 3).TrainLoss -join ','), ((RoundTrip $pca | Get-LossSurface -Steps 3).TrainLoss -join ',')
            'pca-of-deserialized|{0}|{1}' -f ($pca.Direction.Sha256 -join ','), (($trajectory | ForEach-Object { RoundTrip $_ } | Get-TrajectoryPCA).Direction.Sha256 -join ',')
            $surface = $c | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $h5
            $surface | Export-LandscapePlot -Path $livePng
            RoundTrip $surface | Export-LandscapePlot -Path $copyPng
            """, variables).ShouldSucceed();

        var rows = result.Output.Select(o => o.ToString().Split('|')).ToArray();
        Assert.Equal(["checkpoint-by-value", "checkpoint-direction", "direction", "dataset", "pca-by-property-name", "pca-of-deserialized"], rows.Select(r => r[0]));
        Assert.All(rows, row =>
        {
            Assert.False(string.IsNullOrEmpty(row[1]), row[0]);
            Assert.True(row[1] == row[2], $"{row[0]}: live '{row[1]}', deserialized '{row[2]}'");
        });
        Assert.Equal(File.ReadAllBytes((string)variables["livePng"]!), File.ReadAllBytes((string)variables["copyPng"]!));
    }

    [Fact]
    public void ADeserializedCheckpointWhoseFileChangedIsRefused()
    {
        using var copy = new TempDirectory();
        foreach (var file in Directory.GetFiles(run.Path, "epoch-00*")) File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        variables["copied"] = Path.Combine(copy.Path, "epoch-003.dat");
        var serialized = shell.Invoke("[System.Management.Automation.PSSerializer]::Serialize((Import-Checkpoint $copied))", variables).ShouldSucceed().Output.Single().ToString();
        File.Copy(Path.Combine(copy.Path, "epoch-002.dat"), Path.Combine(copy.Path, "epoch-003.dat"), overwrite: true);
        variables["serialized"] = serialized;

        var result = shell.Invoke("[System.Management.Automation.PSSerializer]::Deserialize($serialized) | New-LandscapeDirection", variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ParameterArgumentTransformationError", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("changed since the object was made", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void ADeserializedSurfaceWithoutAFileSaysHowToKeepOne()
    {
        var result = shell.Invoke(RoundTrip + "\nRoundTrip (Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3) | Export-LandscapePlot -Path $dir", variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ParameterArgumentTransformationError", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("-OutFile", error.Exception.Message, StringComparison.Ordinal);
    }
}
