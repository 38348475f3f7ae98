namespace LossLandscape.PowerShell.Types;

/// <summary>The module's process-wide settings and what the native runtime loaded.</summary>
public sealed class LandscapeSetting
{
    public required int ThreadCount { get; init; }

    public required string Device { get; init; }

    public required string LibTorchDirectory { get; init; }

    public required bool PatchedShim { get; init; }

    public required string ShimPath { get; init; }

    public required string OmpWaitPolicy { get; init; }

    public override string ToString() => $"{Device}, {ThreadCount} thread(s)";
}
