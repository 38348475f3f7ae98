using System.Reflection;
using System.Runtime.Loader;

namespace LossLandscape.Loader;

/// <summary>
/// The module's own AssemblyLoadContext: LossLandscape.PowerShell.dll and every managed assembly beside it
/// (TorchSharp, FSharp.Core, Plotly.NET, ScottPlot, SkiaSharp, PureHDF, Google.Protobuf, Newtonsoft.Json …)
/// load here from the module's bin folder, whatever versions of them the host or other modules already
/// loaded into the default context. What is not in bin (System.Management.Automation, the framework)
/// falls through to the default context, so the cmdlets share PowerShell's engine types.
/// </summary>
/// <remarks>
/// Native libraries are process-wide and are not isolated: the module's NativeLibraryResolver, registered
/// on this context by the module initializer, finds libtorch and libSkiaSharp in bin/runtimes.
/// </remarks>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string ModuleAssemblyName = "LossLandscape.PowerShell";

    // One context per bin folder for the life of the process: Remove-Module cannot unload libtorch, and a
    // re-import must get the same types back, or objects made before it would no longer bind to the cmdlets.
    private static readonly Dictionary<string, ModuleLoadContext> Contexts = new(StringComparer.Ordinal);

    private readonly string binDirectory;

    private ModuleLoadContext(string binDirectory)
        : base($"LossLandscape ({binDirectory})", isCollectible: false) => this.binDirectory = binDirectory;

    /// <summary>True when this process already loaded the module from <paramref name="binDirectory"/>: an Import-Module now is a re-import.</summary>
    public static bool WasLoaded(string binDirectory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(binDirectory));
        lock (Contexts) return Contexts.ContainsKey(full);
    }

    /// <summary>Loads the module's cmdlet assembly from <paramref name="binDirectory"/> into that folder's context.</summary>
    public static Assembly LoadModule(string binDirectory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(binDirectory));
        ModuleLoadContext context;
        lock (Contexts)
        {
            if (!Contexts.TryGetValue(full, out var existing))
            {
                existing = new ModuleLoadContext(full);
                Contexts.Add(full, existing);
            }
            context = existing;
        }
        return context.LoadFromAssemblyName(new AssemblyName(ModuleAssemblyName));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name) return null;
        // Satellite resources (FSharp.Core's translations) live in bin/<culture>/.
        var culture = assemblyName.CultureName;
        var path = string.IsNullOrEmpty(culture)
            ? Path.Combine(binDirectory, name + ".dll")
            : Path.Combine(binDirectory, culture, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
