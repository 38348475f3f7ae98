using System.Reflection;

namespace LossLandscape.Shell;

/// <summary>
/// Decides which LossLandscape module the shell imports. The first source that is set wins, even when
/// nothing importable is there, so that a mistake is reported instead of silently loading another copy.
/// </summary>
internal static class ModuleLocator
{
    public const string EnvironmentVariable = "LOSSLANDSCAPE_MODULE";
    private const string ModuleName = "LossLandscape";
    private const string ManifestFileName = ModuleName + ".psd1";

    public static ModuleLocation Locate(string? commandLinePath)
    {
        var (path, origin) = SelectSource(commandLinePath);
        var fullPath = Path.GetFullPath(path);
        return new ModuleLocation(fullPath, origin, FindManifest(fullPath));
    }

    /// <summary>
    /// The folder to put on PSModulePath so that <c>Import-Module LossLandscape</c> in a script finds the same
    /// copy: the parent of the <c>LossLandscape</c> folder, in both the flat and the versioned layout.
    /// </summary>
    public static string? ModuleSearchRoot(string manifestPath)
    {
        var folder = new DirectoryInfo(Path.GetDirectoryName(manifestPath)!);
        if (Version.TryParse(folder.Name, out _) && folder.Parent is not null)
        {
            folder = folder.Parent;
        }

        return string.Equals(folder.Name, ModuleName, StringComparison.OrdinalIgnoreCase) ? folder.Parent?.FullName : null;
    }

    private static (string Path, string Origin) SelectSource(string? commandLinePath)
    {
        if (!string.IsNullOrEmpty(commandLinePath))
        {
            return (commandLinePath, "-Module");
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return (fromEnvironment, $"${EnvironmentVariable}");
        }

        var deployed = Path.Combine(AppContext.BaseDirectory, "Modules", ModuleName);
        if (Directory.Exists(deployed))
        {
            return (deployed, "the Modules folder beside the shell");
        }

        var built = typeof(ModuleLocator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "LossLandscapeModuleDirectory")?.Value;
        return (string.IsNullOrEmpty(built) ? deployed : built, "the build output");
    }

    private static string? FindManifest(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            return null;
        }

        var direct = Path.Combine(path, ManifestFileName);
        if (File.Exists(direct))
        {
            return direct;
        }

        // The versioned layout, <folder>/<version>/LossLandscape.psd1: the newest version wins, as in Import-Module.
        return Directory.EnumerateDirectories(path)
            .Select(folder => (Manifest: Path.Combine(folder, ManifestFileName), Version: Version.TryParse(Path.GetFileName(folder), out var version) ? version : null))
            .Where(candidate => candidate.Version is not null && File.Exists(candidate.Manifest))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Manifest)
            .FirstOrDefault();
    }
}
