using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace LossLandscape.Core.Native;

/// <summary>
/// Finds native libraries (SkiaSharp, HarfBuzzSharp, …) in the runtimes/&lt;rid&gt;/native folder
/// beside our assemblies. A host such as pwsh probes its own folders only, so a binary module's
/// natives are not found without this. libtorch is loaded by <see cref="LandscapeRuntime"/> instead.
/// The handler goes on the AssemblyLoadContext that holds this assembly: a DllImport asks the context of
/// the calling assembly, which is the module's own context under PowerShell and the default one in the
/// console and test hosts.
/// </summary>
public static class NativeLibraryResolver
{
    private static readonly object Gate = new();
    private static readonly List<string> Directories = [];
    private static bool registered;

    /// <summary>Adds the native folders next to <paramref name="assemblyDirectory"/> to the search (idempotent).</summary>
    public static void Register(string assemblyDirectory)
    {
        lock (Gate)
        {
            foreach (var candidate in new[] { Path.Combine(assemblyDirectory, "runtimes", NativePlatform.Current.RuntimeIdentifier, "native"), assemblyDirectory })
            {
                if (Directory.Exists(candidate) && !Directories.Contains(candidate)) Directories.Add(candidate);
            }
            if (registered) return;
            (AssemblyLoadContext.GetLoadContext(typeof(NativeLibraryResolver).Assembly) ?? AssemblyLoadContext.Default).ResolvingUnmanagedDll += Resolve;
            registered = true;
        }
    }

    private static IntPtr Resolve(Assembly requester, string name)
    {
        string[] directories;
        lock (Gate) directories = [.. Directories];
        var platform = NativePlatform.Current;
        var fileNames = new[] { name, platform.FileName(name), name + platform.Suffix, platform.Prefix + name }.Distinct();
        foreach (var directory in directories)
        {
            foreach (var fileName in fileNames)
            {
                var path = Path.Combine(directory, fileName);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
            }
        }
        return IntPtr.Zero;
    }
}
