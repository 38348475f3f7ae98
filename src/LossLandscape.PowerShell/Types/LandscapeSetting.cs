namespace LossLandscape.PowerShell.Types;

/// <summary>The module's process-wide settings and what the native runtime loaded.</summary>
public sealed class LandscapeSetting
{
    public required int ThreadCount { get; init; }

    /// <summary>Capacity of the decoded data set cache in bytes (Set-LandscapeSetting -DatasetCacheBytes); 0 when caching is off.</summary>
    public required long DatasetCacheBytes { get; init; }

    /// <summary>Decoded bytes the cache holds now.</summary>
    public required long DatasetCacheUsedBytes { get; init; }

    /// <summary>CUDA devices libtorch found: 0 with the CPU-only build, so -Device accepts only cpu.</summary>
    public required int CudaDeviceCount { get; init; }

    public required string LibTorchDirectory { get; init; }

    public required bool PatchedShim { get; init; }

    public required string ShimPath { get; init; }

    public required string OmpWaitPolicy { get; init; }

    /// <summary>How the C allocator was tuned at load (see LOSSLANDSCAPE_MALLOC_TUNING), or why it was left alone.</summary>
    public required string Allocator { get; init; }

    public override string ToString() => $"{ThreadCount} thread(s), {CudaDeviceCount} CUDA device(s)";
}
