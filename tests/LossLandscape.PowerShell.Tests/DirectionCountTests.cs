using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Get-LossSurface -DirectionCount on the digits CNN: draws, their file, Import-LossSurface, plots and bad counts.</summary>
public sealed class DirectionCountTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private const string Line = "Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5 -MaxSamples 100 -ThrottleLimit 1";
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public DirectionCountTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 200 -Seed 2 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = run.Combine("epoch-001.dat"), ["dir"] = run.Path, ["draws"] = run.Combine("draws.h5") };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void FiveDrawsAreBitIdenticalToSingleRunsOfTheirSeedsWithTheSharpnessCurvatureOfEach()
    {
        var surface = Assert.Single(shell.Invoke($"{Line} -DirectionCount 5 -Seed 40 -OutFile $draws", variables).ShouldSucceed().Output);

        Assert.Equal(5, surface.Properties["DirectionCount"].Value);
        // Every draw's points count: a complete surface of five draws has computed them all.
        var gridPoints = ((double[])surface.Properties["X"].Value).Length;
        Assert.Equal(5 * gridPoints, surface.Properties["PointCount"].Value);
        Assert.Equal(5 * gridPoints, surface.Properties["ComputedCount"].Value);
        var members = (object[])surface.Properties["Members"].Value;
        var curvature = (double[])surface.Properties["MemberCurvature"].Value;
        Assert.Equal(5, members.Length);
        for (var k = 0; k < 5; k++)
        {
            var draw = PSObject.AsPSObject(members[k]);
            Assert.Equal(40L + k, draw.Properties["Seed"].Value);
            var single = Assert.Single(shell.Invoke($"{Line} -Seed {40 + k}", variables).ShouldSucceed().Output);
            Assert.Equal(Bits((double[])single.Properties["TrainLoss"].Value), Bits((double[])draw.Properties["TrainLoss"].Value));
            Assert.Equal(Bits((double[])single.Properties["TrainAccuracy"].Value), Bits((double[])draw.Properties["TrainAccuracy"].Value));
            // The measure Get-LandscapeSharpness reports along the direction of the same seed, on the same data and with the
            // surface's one thread per point (its direction moves biases and BN too without -IgnoreBiasAndNorm), bit for bit.
            var sharpness = Assert.Single(shell.Invoke($"Import-Checkpoint $ckpt | Get-LandscapeSharpness -MaxSamples 100 -Samples 1 -Iterations 1 -IgnoreBiasAndNorm -ThreadCount 1 -Seed {40 + k}", variables).ShouldSucceed().Output);
            Assert.Equal(BitConverter.DoubleToInt64Bits((double)sharpness.Properties["DirectionCurvature"].Value), BitConverter.DoubleToInt64Bits(curvature[k]));
            Assert.Equal(curvature[k], (double)draw.Properties["Curvature"].Value);
        }
        Assert.Equal(Bits((double[])PSObject.AsPSObject(members[0]).Properties["TrainLoss"].Value), Bits((double[])surface.Properties["TrainLoss"].Value));

        // The statistics, recomputed here from the draws.
        var losses = members.Select(m => (double[])PSObject.AsPSObject(m).Properties["TrainLoss"].Value).ToArray();
        var mean = (double[])surface.Properties["MeanTrainLoss"].Value;
        var deviation = (double[])surface.Properties["SdTrainLoss"].Value;
        for (var i = 0; i < 5; i++)
        {
            var column = losses.Select(l => l[i]).ToArray();
            Assert.Equal(column.Average(), mean[i], 14);
            Assert.Equal(Math.Sqrt(column.Sum(v => (v - column.Average()) * (v - column.Average())) / 4), deviation[i], 14);
        }
        // α = 0 is θ* in every draw: no spread there.
        Assert.Equal(0, deviation[2]);
        Assert.True(deviation[0] > 0);
        Assert.Equal(curvature.Average(), (double)surface.Properties["CurvatureMean"].Value, 14);

        var imported = Assert.Single(shell.Invoke("Import-LossSurface $draws", variables).ShouldSucceed().Output);
        Assert.Equal(curvature, (double[])imported.Properties["MemberCurvature"].Value);
        Assert.Equal(Bits(losses[4]), Bits((double[])PSObject.AsPSObject(((object[])imported.Properties["Members"].Value)[4]).Properties["TrainLoss"].Value));
        Assert.Equal(Bits(deviation), Bits((double[])imported.Properties["SdTrainLoss"].Value));
    }

    [Fact]
    public void OneDrawWritesTheFileItAlwaysDidAndHasNoMembers()
    {
        variables["plain"] = run.Combine("plain.h5");
        var one = Assert.Single(shell.Invoke($"{Line} -DirectionCount 1 -OutFile $draws", variables).ShouldSucceed().Output);
        shell.Invoke($"{Line} -OutFile $plain", variables).ShouldSucceed();

        Assert.Equal(File.ReadAllBytes(run.Combine("plain.h5")), File.ReadAllBytes(run.Combine("draws.h5")));
        Assert.Equal(1, one.Properties["DirectionCount"].Value);
        Assert.Null(one.Properties["Members"].Value);
        Assert.Null(one.Properties["MeanTrainLoss"].Value);
        Assert.Null(one.Properties["CurvatureMean"].Value);
    }

    [Fact]
    public void AFileOfAnotherCountIsRefusedAsASettingsMismatch()
    {
        shell.Invoke($"{Line} -DirectionCount 2 -OutFile $draws", variables).ShouldSucceed();
        var before = File.ReadAllBytes(run.Combine("draws.h5"));

        var refused = shell.Invoke($"{Line} -DirectionCount 3 -OutFile $draws", variables);

        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("SurfaceSettingsMismatch,", error.FullyQualifiedErrorId);
        Assert.Contains("directionCount: 2 in the file, 3 requested", error.Exception.Message);
        Assert.Equal(before, File.ReadAllBytes(run.Combine("draws.h5")));
    }

    [Theory]
    [InlineData("-DirectionCount 3 -Direction (Import-Checkpoint $ckpt | New-LandscapeDirection -Dimensions 1)", "does not vary directions given with -Direction")]
    [InlineData("-DirectionCount 3 -Seed 9223372036854775806", "leaves no room for 3 draws")]
    public void BadDirectionCountsAreDirectionCountInvalidBeforeAnythingIsComputed(string parameters, string message)
    {
        var result = shell.Invoke($"{Line} {parameters} -OutFile $draws", variables);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DirectionCountInvalid,LossLandscape.PowerShell.Commands.GetLossSurfaceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(3, error.TargetObject);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(run.Combine("draws.h5")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void ACountBelowOneIsRefusedAtBinding(int count)
    {
        var result = shell.Invoke($"try {{ {Line} -DirectionCount {count} -OutFile $draws }} catch {{ $_ }}", variables).ShouldSucceed();

        var error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId);
        Assert.Contains("parameter 'DirectionCount'", error.Exception.Message);
        Assert.False(File.Exists(run.Combine("draws.h5")));
    }

    [Fact]
    public void PlotsOfSeveralDrawsAreTheBandedLineAndTheMeanBesideTheSdMap()
    {
        variables["line"] = run.Combine("line.png");
        variables["plane"] = run.Combine("plane.png");
        var files = shell.Invoke(
            $"{Line} -DirectionCount 3 | Export-LandscapePlot -Path $line -Band MinMax -PassThru; " +
            "Import-Checkpoint $ckpt | Get-LossSurface -Steps 5 -MaxSamples 100 -ThrottleLimit 1 -DirectionCount 3 | Export-LandscapePlot -Path $plane -PassThru",
            variables).ShouldSucceed().Output;

        Assert.Equal(2, files.Count);
        Assert.Equal((800, 600), PngSize(run.Combine("line.png")));
        // Two panels side by side: wider than high.
        var (width, height) = PngSize(run.Combine("plane.png"));
        Assert.True(width > 1.5 * height, $"{width}×{height}");
    }

    /// <summary>The width and height in a PNG's IHDR chunk (big-endian, after the 8-byte signature and the chunk's length and type).</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(16, 8);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[4..]));
    }

    private static long[] Bits(double[] values) => Array.ConvertAll(values, BitConverter.DoubleToInt64Bits);
}
