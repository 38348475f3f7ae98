using System.Management.Automation;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// -Device in the real engine. This build's libtorch is CPU-only, so every CUDA request must end in
/// the DeviceUnavailable error before anything is computed or written.
/// </summary>
public sealed class DeviceTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();
    private readonly Dictionary<string, object?> variables;

    public DeviceTests(ModuleRunspace shell)
    {
        this.shell = shell;
        shell.Invoke("Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 100 -Seed 3 -OutputDirectory $dir", new Dictionary<string, object?> { ["dir"] = run.Path }).ShouldSucceed();
        variables = new Dictionary<string, object?> { ["ckpt"] = run.Combine("epoch-001.dat"), ["dir"] = run.Path };
    }

    public void Dispose() => run.Dispose();

    [Fact]
    public void GetLossSurfaceOnCudaIsDeviceUnavailableAndLeavesTheOutFileAlone()
    {
        variables["out"] = run.Combine("surface.h5");
        shell.Invoke("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $out", variables).ShouldSucceed();
        var before = File.ReadAllBytes((string)variables["out"]!);

        var error = CaughtTerminatingError("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 5 -OutFile $out -Force -Device cuda");

        Assert.StartsWith("DeviceUnavailable,LossLandscape.PowerShell.Commands.GetLossSurfaceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("cuda", error.TargetObject);
        Assert.Contains("CUDA is not available in this build", error.Exception.Message);
        Assert.Contains("-TorchBackend cuda-linux", error.Exception.Message);
        Assert.Equal(before, File.ReadAllBytes((string)variables["out"]!));
        Assert.False(File.Exists(run.Combine("surface.h5.journal")));
    }

    [Fact]
    public void AnUnparsableDeviceIsRefusedAtBindingWithTheValidFormsAndNoParameterName()
    {
        var error = CaughtTerminatingError("Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -Device gpu");

        Assert.StartsWith("ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.GetLossSurfaceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal("Cannot validate argument on parameter 'Device'. 'gpu' is not a device; use 'cpu', 'cuda' or 'cuda:N' (N = 0, 1, …).", error.Exception.Message);
        Assert.DoesNotContain("(Parameter", error.Exception.Message);
    }

    [Fact]
    public void AnUnknownModelIsRefusedAtBindingLikeABadDeviceAndNothingIsWritten()
    {
        variables["fresh"] = run.Combine("never");

        var model = CaughtTerminatingError("Invoke-LandscapeTraining -Model Foo -Epochs 1 -OutputDirectory $fresh");
        var device = CaughtTerminatingError("Invoke-LandscapeTraining -Model Mlp -Epochs 1 -OutputDirectory $fresh -Device gpu");

        Assert.StartsWith("ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.InvokeLandscapeTrainingCommand", model.FullyQualifiedErrorId);
        Assert.Equal(device.FullyQualifiedErrorId, model.FullyQualifiedErrorId);
        Assert.Equal(device.CategoryInfo.Category, model.CategoryInfo.Category);
        Assert.StartsWith("Cannot validate argument on parameter 'Model'. 'Foo' is not a model of the zoo; use one of Mlp, DigitsCnn, ResNet20, ", model.Exception.Message);
        Assert.Contains("Vgg9", model.Exception.Message);
        Assert.False(Directory.Exists((string)variables["fresh"]!));
    }

    [Fact]
    public void AModelNameInAnyCaseTrains()
    {
        variables["lower"] = run.Combine("lower");

        var result = shell.Invoke("Invoke-LandscapeTraining -Model mlp -Epochs 1 -MaxSamples 20 -OutputDirectory $lower", variables).ShouldSucceed();

        Assert.Equal("Mlp", result.Output[^1].Properties["Architecture"].Value);
    }

    [Fact]
    public void TrainingOnAMissingCudaDeviceWritesNoCheckpoint()
    {
        variables["fresh"] = run.Combine("fresh");

        var error = CaughtTerminatingError("Invoke-LandscapeTraining -Model Mlp -Epochs 1 -MaxSamples 50 -OutputDirectory $fresh -Device cuda:1");

        Assert.StartsWith("DeviceUnavailable,LossLandscape.PowerShell.Commands.InvokeLandscapeTrainingCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("cuda:1", error.TargetObject);
        Assert.False(Directory.Exists((string)variables["fresh"]!));
    }

    [Fact]
    public void HessianSpectrumOnCudaWritesNoEigenvectorFile()
    {
        variables["eigen"] = run.Combine("eigen.h5");

        var error = CaughtTerminatingError("Import-Checkpoint $ckpt | Get-HessianSpectrum -MaxSamples 20 -OutFile $eigen -Device CUDA:0");

        Assert.StartsWith("DeviceUnavailable,LossLandscape.PowerShell.Commands.GetHessianSpectrumCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("CUDA:0", error.TargetObject);
        Assert.False(File.Exists((string)variables["eigen"]!));
    }

    [Fact]
    public void CpuInAnyCaseGivesTheDefaultValuesAndVerboseNamesTheDevice()
    {
        var byDefault = shell.Invoke("(Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3).TrainLoss -join ','", variables).ShouldSucceed();
        var onCpu = shell.Invoke("(Import-Checkpoint $ckpt | Get-LossSurface -Dimensions 1 -Steps 3 -Device CPU -Verbose).TrainLoss -join ','", variables).ShouldSucceed();

        Assert.Equal(Assert.Single(byDefault.Output).ToString(), Assert.Single(onCpu.Output).ToString());
        Assert.Contains(onCpu.Verbose, line => line.StartsWith("Device cpu; ", StringComparison.Ordinal) && line.Contains("intra-op thread(s) in force", StringComparison.Ordinal));
        Assert.Contains(onCpu.Verbose, line => line.StartsWith("CUDA: not in this build (CPU-only libtorch)", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSettingsCountNoCudaDeviceInThisBuild()
    {
        var setting = Assert.Single(shell.Invoke("Get-LandscapeSetting").ShouldSucceed().Output);

        Assert.Equal(0, (int)setting.Properties["CudaDeviceCount"].Value);
    }

    [Theory]
    [InlineData("Get-LossSurface -Device ", new[] { "cpu", "cuda", "cuda:0" })]
    [InlineData("Invoke-LandscapeTraining -Device ", new[] { "cpu", "cuda", "cuda:0" })]
    [InlineData("Get-HessianSpectrum -Device ", new[] { "cpu", "cuda", "cuda:0" })]
    [InlineData("Get-LossSurface -Device CU", new[] { "cuda", "cuda:0" })]
    public void DeviceCompletesToCpuAndCuda(string line, string[] expected)
    {
        variables["line"] = line;

        var matches = shell.Invoke("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText", variables).ShouldSucceed();

        Assert.Equal(expected, matches.Output.Select(o => o.ToString()));
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/> with -ErrorAction SilentlyContinue inside try/catch: only a
    /// terminating error reaches the catch block (a non-terminating one would vanish), and the pipeline
    /// must have emitted nothing else.
    /// </summary>
    private ErrorRecord CaughtTerminatingError(string pipeline)
    {
        var result = shell.Invoke($"try {{ {pipeline} -ErrorAction SilentlyContinue }} catch {{ $_ }}", variables).ShouldSucceed();
        return Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
    }
}
