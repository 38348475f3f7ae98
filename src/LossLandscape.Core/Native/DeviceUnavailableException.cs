namespace LossLandscape.Core.Native;

/// <summary>The requested CUDA device does not exist in this process; the message says why and what to do.</summary>
public sealed class DeviceUnavailableException(ComputeDevice device, int cudaDeviceCount, string message) : Exception(message)
{
    public ComputeDevice Device { get; } = device;

    /// <summary>CUDA devices libtorch reported (0 without a CUDA build or GPU).</summary>
    public int CudaDeviceCount { get; } = cudaDeviceCount;
}
