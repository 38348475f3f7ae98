namespace LossLandscape.Shell;

/// <param name="Path">The path that was tried, for messages.</param>
/// <param name="Origin">Where that path came from, for messages.</param>
/// <param name="ManifestPath">The manifest found there, or null when there is none.</param>
internal sealed record ModuleLocation(string Path, string Origin, string? ManifestPath);
