namespace LossLandscape.Core.Surfaces;

/// <summary>An existing surface file or journal was made with other settings; nothing is overwritten.</summary>
public sealed class SurfaceSettingsMismatchException(string path, IReadOnlyList<string> differences)
    : InvalidOperationException($"'{path}' holds a surface computed with other settings ({string.Join("; ", differences)}). Use another -OutFile, or -Force to start over.")
{
    public string Path { get; } = path;

    public IReadOnlyList<string> Differences { get; } = differences;
}
