using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;

namespace LossLandscape.Core.Native;

/// <summary>
/// Where tensors live and models run: the CPU or one CUDA device, named as PyTorch names them.
/// Parsing is pure; <see cref="EnsureAvailable"/> asks libtorch whether the device exists before
/// anything is placed on it, because a tensor sent to a missing device fails inside native code,
/// where an error may end the process instead of throwing.
/// </summary>
[JsonConverter(typeof(ComputeDeviceJsonConverter))]
public sealed record ComputeDevice
{
    /// <summary>The spellings <see cref="Parse"/> accepts, for messages and help.</summary>
    public const string AcceptedForms = "'cpu', 'cuda' or 'cuda:N' (N = 0, 1, …)";

    private const string CudaPrefix = "cuda:";

    private ComputeDevice(DeviceType type, int index)
    {
        Type = type;
        Index = index;
    }

    public static ComputeDevice Cpu { get; } = new(DeviceType.CPU, -1);

    public DeviceType Type { get; }

    /// <summary>The CUDA device number; -1 for the CPU.</summary>
    public int Index { get; }

    public bool IsCpu => Type == DeviceType.CPU;

    /// <summary>
    /// Reads "cpu", "cuda" or "cuda:N", in any letter case. Plain "cuda" is device 0: PyTorch's
    /// "current device", which nothing here ever changes from 0.
    /// </summary>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static ComputeDevice Parse(string? text)
    {
        if (string.Equals(text, "cpu", StringComparison.OrdinalIgnoreCase)) return Cpu;
        if (string.Equals(text, "cuda", StringComparison.OrdinalIgnoreCase)) return new ComputeDevice(DeviceType.CUDA, 0);
        if (text is not null && text.StartsWith(CudaPrefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(CudaPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new ComputeDevice(DeviceType.CUDA, index);
        }
        // No parameter name: .NET would append "(Parameter 'text')", which names this method's
        // argument, not anything the user typed; the message is shown to PowerShell users as is.
        throw new ArgumentException($"'{text}' is not a device; use {AcceptedForms}.");
    }

    /// <summary>Checks that this device exists in <paramref name="runtime"/>; the CPU always does.</summary>
    /// <exception cref="DeviceUnavailableException">No such CUDA device in this process.</exception>
    public void EnsureAvailable(LandscapeRuntime runtime)
    {
        if (IsCpu) return;
        var report = runtime.Report;
        if (report.CudaAvailable && Index < report.CudaDeviceCount) return;
        throw new DeviceUnavailableException(this, report.CudaDeviceCount, UnavailableReason(report));
    }

    /// <summary>The libtorch device, after <see cref="EnsureAvailable"/>: no tensor reaches a missing device.</summary>
    /// <exception cref="DeviceUnavailableException">No such CUDA device in this process.</exception>
    public torch.Device ToTorchDevice(LandscapeRuntime runtime)
    {
        EnsureAvailable(runtime);
        return IsCpu ? torch.CPU : new torch.Device(Type, Index);
    }

    public override string ToString() => IsCpu ? "cpu" : CudaPrefix + Index.ToString(CultureInfo.InvariantCulture);

    private string UnavailableReason(TorchLoadReport report)
    {
        if (report.CudaAvailable)
            return $"{this} does not exist: libtorch found {report.CudaDeviceCount} CUDA device(s), cuda:0 to cuda:{report.CudaDeviceCount - 1}.";
        var found = $"torch.cuda.is_available() is false, {report.CudaDeviceCount} CUDA device(s) found";
        if (report.HasCudaLibraries)
            return $"{this} is not available: this build's libtorch supports CUDA but no usable GPU was found ({found}). Check the NVIDIA driver and CUDA_VISIBLE_DEVICES, or compute on the CPU.";
        return $"{this} is not available: CUDA is not available in this build, whose libtorch ({report.LibTorchDirectory}) is CPU-only ({found}). " +
            "To compute on an NVIDIA GPU, build the module with a CUDA libtorch: ./build.ps1 -Task Build -TorchBackend cuda-linux (or cuda-windows; " +
            "dotnet build -p:TorchBackend=cuda-linux), which references libtorch-cuda-12.8-linux-x64 / -win-x64, the runtime the TorchSharp-cuda-linux and " +
            $"TorchSharp-cuda-windows packages bundle; or set {LandscapeRuntime.LibTorchDirectoryVariable} to a CUDA build of libtorch {TorchVersion.LibTorch}. " +
            "Until then, compute on the CPU.";
    }
}

/// <summary>Writes a device as its name ("cpu", "cuda:1"), the form users type and files record.</summary>
internal sealed class ComputeDeviceJsonConverter : JsonConverter<ComputeDevice>
{
    public override ComputeDevice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ComputeDevice.Parse(reader.GetString());

    public override void Write(Utf8JsonWriter writer, ComputeDevice value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
