using LossLandscape.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Core.Tests.Native;

/// <summary>
/// Device names, and what a CUDA request does in this CPU-only build: a managed exception raised
/// before any tensor is placed, never a native failure.
/// </summary>
public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1, "cpu")]
    [InlineData("CPU", DeviceType.CPU, -1, "cpu")]
    [InlineData("cuda", DeviceType.CUDA, 0, "cuda:0")]
    [InlineData("Cuda", DeviceType.CUDA, 0, "cuda:0")]
    [InlineData("cuda:0", DeviceType.CUDA, 0, "cuda:0")]
    [InlineData("CUDA:3", DeviceType.CUDA, 3, "cuda:3")]
    [InlineData("cuda:12", DeviceType.CUDA, 12, "cuda:12")]
    public void ParsesTheAcceptedFormsInAnyCase(string text, DeviceType type, int index, string canonical)
    {
        var device = ComputeDevice.Parse(text);

        Assert.Equal(type, device.Type);
        Assert.Equal(index, device.Index);
        Assert.Equal(canonical, device.ToString());
        Assert.Equal(device, ComputeDevice.Parse(device.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("banana")]
    [InlineData(" cpu")]
    [InlineData("cpu:0")]
    [InlineData("mps")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda: 1")]
    [InlineData("cuda:1.5")]
    [InlineData("cuda:x")]
    [InlineData("cuda0")]
    [InlineData("cuda:99999999999")]
    public void AnythingElseIsAnArgumentExceptionNamingTheAcceptedForms(string? text)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text));

        Assert.Contains(ComputeDevice.AcceptedForms, error.Message);
        Assert.Contains($"'{text}'", error.Message);
        // Users read this message as is: no "(Parameter 'text')" naming this method's argument.
        Assert.Null(error.ParamName);
        Assert.EndsWith("(N = 0, 1, …).", error.Message);
    }

    [Fact]
    public void TheCpuIsAlwaysAvailableAndIsTorchsCpu()
    {
        ComputeDevice.Cpu.EnsureAvailable(LandscapeRuntime.Load());
        var device = ComputeDevice.Parse("cpu").ToTorchDevice(LandscapeRuntime.Load());

        Assert.Equal(DeviceType.CPU, device.type);
        Assert.True(ComputeDevice.Cpu.IsCpu);
    }

    [Fact]
    public void ThisBuildsLibtorchHasNoCudaAndSaysSoWithoutFailing()
    {
        var report = LandscapeRuntime.Load().Report;

        Assert.False(cuda.is_available());
        Assert.Equal(0, cuda.device_count());
        Assert.False(report.CudaAvailable);
        Assert.Equal(0, report.CudaDeviceCount);
        Assert.False(report.HasCudaLibraries);
        Assert.Contains(report.Describe(), line => line.StartsWith("CUDA: not in this build (CPU-only libtorch)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:1")]
    public void CudaIsUnavailableHereAndTheMessageSaysHowToGetIt(string text)
    {
        var device = ComputeDevice.Parse(text);

        var error = Assert.Throws<DeviceUnavailableException>(() => device.EnsureAvailable(LandscapeRuntime.Load()));

        Assert.Equal(device, error.Device);
        Assert.Equal(0, error.CudaDeviceCount);
        Assert.Contains($"{device} is not available", error.Message);
        Assert.Contains("CUDA is not available in this build", error.Message);
        Assert.Contains("0 CUDA device(s) found", error.Message);
        Assert.Contains("-TorchBackend cuda-linux", error.Message);
        Assert.Contains("cuda-windows", error.Message);
        Assert.Contains("TorchSharp-cuda-linux", error.Message);
        Assert.Contains("TorchSharp-cuda-windows", error.Message);
        Assert.Contains(LandscapeRuntime.LibTorchDirectoryVariable, error.Message);
    }

    [Fact]
    public void NoTorchDeviceIsHandedOutForAMissingDevice()
    {
        Assert.Throws<DeviceUnavailableException>(() => ComputeDevice.Parse("cuda:1").ToTorchDevice(LandscapeRuntime.Load()));
    }

    [Fact]
    public void AModelsDeviceIsThatOfItsTensorsOrTheCpuWhenItHasNone()
    {
        using var linear = LandscapeRuntime.Load().WithGlobalGenerator(null, () => nn.Linear(3, 2));
        using var empty = nn.Sequential();

        Assert.Equal(DeviceType.CPU, DevicePlacement.DeviceOf(linear).type);
        Assert.Equal(DeviceType.CPU, DevicePlacement.DeviceOf(empty).type);
        using var values = ones(2);
        Assert.True(values.IsOn(CPU));
    }
}
