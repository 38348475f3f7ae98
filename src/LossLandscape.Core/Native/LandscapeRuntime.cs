using System.Runtime.InteropServices;
using LossLandscape.Core.Common;
using LossLandscape.Core.Data;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace LossLandscape.Core.Native;

/// <summary>
/// The process's native runtime and the state shared by everything that computes with it: libtorch
/// and TorchSharp's shim (loaded before the first torch call, in any host: module import, the shell,
/// test hosts), the intra-op thread count, the lock around libtorch's global generator, and the cache
/// of decoded data sets. libtorch is process-wide, so there is one instance per process, obtained with
/// <see cref="Load"/> by the composition roots (cmdlets, the shell, tests, bench) and handed to the
/// engines. Where TorchSharp's own loader works, loading only preloads libtorch; on distributions
/// whose libstdc++ is older than the shim needs (Debian 12), it loads a patched copy of the shim
/// (see <see cref="ElfVersionPatcher"/>).
/// </summary>
public sealed class LandscapeRuntime
{
    /// <summary>Folder holding the user's own libtorch (and optionally LibTorchSharp) libraries.</summary>
    public const string LibTorchDirectoryVariable = "LOSSLANDSCAPE_LIBTORCH_DIR";

    /// <summary>Folder for the patched shim copy; defaults to the user's local application data.</summary>
    public const string NativeCacheVariable = "LOSSLANDSCAPE_NATIVE_CACHE";

    /// <summary>Default intra-op thread count when no setting is given.</summary>
    public const string ThreadCountVariable = "LOSSLANDSCAPE_THREADS";

    private static readonly object LoadGate = new();
    private static volatile LandscapeRuntime? processRuntime;

    private readonly object threadGate = new();
    private readonly object generatorGate = new();
    private int threadCount;

    private LandscapeRuntime(TorchLoadReport report, int threadCount)
    {
        Report = report;
        this.threadCount = threadCount;
    }

    /// <summary>The process's runtime, or null while nothing has loaded it (for callers that must not load libtorch, such as tab completion).</summary>
    public static LandscapeRuntime? IfLoaded => processRuntime;

    /// <summary>What was loaded, from where, and how.</summary>
    public TorchLoadReport Report { get; }

    /// <summary>Loads every TorchScript file in a child process before this one loads it (see <see cref="Checkpoints.TorchScriptVetter"/>).</summary>
    public Checkpoints.TorchScriptVetter TorchScriptVetter { get; } = new();

    /// <summary>Decoded data sets, shared by training, evaluation and every surface of the process.</summary>
    public DatasetCache DatasetCache { get; } = new(DatasetCache.DefaultCapacityBytes());

    /// <summary>Intra-op threads libtorch uses.</summary>
    public int ThreadCount
    {
        get => threadCount;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The thread count must be at least 1.");
            lock (threadGate)
            {
                set_num_threads(value);
                threadCount = value;
            }
        }
    }

    /// <summary>Loads the native libraries once per process and returns the process's runtime.</summary>
    /// <exception cref="TorchLoadException">libtorch or the shim could not be loaded; the message says what was tried.</exception>
    public static LandscapeRuntime Load()
    {
        if (processRuntime is { } loaded) return loaded;
        lock (LoadGate)
        {
            if (processRuntime is { } raced) return raced;
            var report = LoadNative();
            var threads = DefaultThreadCount();
            set_num_threads(threads);
            processRuntime = new LandscapeRuntime(report, threads);
            return processRuntime;
        }
    }

    /// <summary>
    /// Applies <paramref name="threads"/> (default: <see cref="ThreadCount"/>) to the calling thread.
    /// libtorch's OpenMP thread count is per calling thread: every thread that runs heavy torch work
    /// (a pipeline thread, a surface worker) must set it for itself.
    /// </summary>
    public void ApplyThreadCount(int? threads = null) => set_num_threads(threads ?? threadCount);

    /// <summary>
    /// Runs <paramref name="draw"/> holding the lock on libtorch's process-wide generator, seeded first
    /// when <paramref name="seed"/> is given, so no other draw (a surface worker, a checkpoint import,
    /// another runspace) can come between a seed and what it seeds.
    /// </summary>
    public T WithGlobalGenerator<T>(long? seed, Func<T> draw)
    {
        lock (generatorGate)
        {
            if (seed is { } value) manual_seed(value);
            return draw();
        }
    }

    /// <summary>The load report's lines and the data set cache's state, for -Verbose.</summary>
    public IEnumerable<string> Describe() => Report.Describe().Append(DatasetCache.Describe());

    private static int DefaultThreadCount()
    {
        var configured = Environment.GetEnvironmentVariable(ThreadCountVariable);
        if (int.TryParse(configured, out var n) && n >= 1) return n;
        return Environment.ProcessorCount;
    }

    private static TorchLoadReport LoadNative()
    {
        var waitPolicy = SetNativeEnvironmentDefault("OMP_WAIT_POLICY", "PASSIVE");
        // MKL's default float32 GEMM picks code paths by the alignment of its operands, so the same
        // product could differ in its last bits from run to run (seen as 1 run in 2 of a linear
        // model's surface, and as a rare training whose checkpoint bytes differed). STRICT keeps the
        // fastest instruction set and makes results independent of alignment.
        var conditionalReproducibility = SetNativeEnvironmentDefault("MKL_CBWR", "AUTO,STRICT");
        var allocator = NativeAllocatorTuning.Apply();

        var platform = NativePlatform.Current;
        var overrideDirectory = Environment.GetEnvironmentVariable(LibTorchDirectoryVariable);
        var bundled = BundledNativeDirectory(platform);
        var torchDirectory = string.IsNullOrWhiteSpace(overrideDirectory) ? bundled : Path.GetFullPath(overrideDirectory);
        if (torchDirectory is null || !File.Exists(Path.Combine(torchDirectory, platform.FileName("torch_cpu"))))
        {
            throw new TorchLoadException(
                $"libtorch was not found (looked for {platform.FileName("torch_cpu")} in '{torchDirectory ?? "<no runtimes folder next to LossLandscape.Core.dll>"}'). " +
                $"Rebuild the module, or set {LibTorchDirectoryVariable} to a folder holding libtorch {TorchVersion.LibTorch}.");
        }

        var preloaded = new List<string>();
        foreach (var name in new[] { "c10", "torch_cpu", "c10_cuda", "torch_cuda", "torch" })
        {
            var path = Path.Combine(torchDirectory, platform.FileName(name));
            if (!File.Exists(path)) continue;
            NativeLibrary.Load(path);
            preloaded.Add(path);
        }

        var shim = FindShim(platform, torchDirectory, bundled)
            ?? throw new TorchLoadException($"{platform.FileName("LibTorchSharp")} was not found next to libtorch in '{torchDirectory}' or in the module's runtimes folder.");

        string? patchedCopy = null;
        var originalError = TryLoad(shim);
        if (originalError is not null)
        {
            if (!OperatingSystem.IsLinux())
                throw new TorchLoadException($"Loading '{shim}' failed: {originalError}");
            patchedCopy = LoadPatchedShim(shim, originalError);
        }

        // TorchSharp's own [DllImport("LibTorchSharp")] now binds to the loaded soname.
        InitializeDeviceType(TorchSharp.DeviceType.CPU);
        return new TorchLoadReport(
            torchDirectory,
            string.IsNullOrWhiteSpace(overrideDirectory) ? "bundled" : $"{LibTorchDirectoryVariable}",
            preloaded,
            shim,
            patchedCopy,
            originalError,
            waitPolicy,
            conditionalReproducibility,
            allocator,
            cuda.is_available(),
            cuda.device_count());
    }

    private static string? BundledNativeDirectory(NativePlatform platform)
    {
        var assemblyDirectory = Path.GetDirectoryName(typeof(LandscapeRuntime).Assembly.Location);
        if (string.IsNullOrEmpty(assemblyDirectory)) return null;
        foreach (var candidate in new[] { Path.Combine(assemblyDirectory, "runtimes", platform.RuntimeIdentifier, "native"), assemblyDirectory })
        {
            if (File.Exists(Path.Combine(candidate, platform.FileName("torch_cpu")))) return candidate;
        }
        return null;
    }

    private static string? FindShim(NativePlatform platform, string torchDirectory, string? bundled)
    {
        foreach (var directory in new[] { torchDirectory, bundled })
        {
            if (directory is null) continue;
            var path = Path.Combine(directory, platform.FileName("LibTorchSharp"));
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string LoadPatchedShim(string shim, string originalError)
    {
        var original = File.ReadAllBytes(shim);
        if (!ElfVersionPatcher.RequiresVersion(original))
            throw new TorchLoadException($"Loading '{shim}' failed and no known fix applies: {originalError}");

        var hash = Convert.ToHexString(SHA256.HashData(original))[..16].ToLowerInvariant();
        var directory = Path.Combine(NativeCacheRoot(), $"LibTorchSharp-{hash}");
        var target = Path.Combine(directory, Path.GetFileName(shim));
        if (!File.Exists(target))
        {
            // Several processes may start at once (parallel jobs, array tasks): each writes aside, then renames.
            AtomicFile.WriteAllBytes(target, ElfVersionPatcher.Patch(original).Image);
        }
        var patchedError = TryLoad(target);
        if (patchedError is not null)
            throw new TorchLoadException($"Loading '{shim}' failed ({originalError}), and so did its patched copy '{target}': {patchedError}");
        return target;
    }

    private static string NativeCacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(NativeCacheVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "LossLandscape", "native");
    }

    /// <returns>Null when the library loaded, else the loader's message.</returns>
    private static string? TryLoad(string path)
    {
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
        catch (BadImageFormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Sets a variable in the C runtime's environment unless the user already set it. libtorch's
    /// OpenMP reads it with getenv at load; .NET's Environment.SetEnvironmentVariable does not reach
    /// the native environment on Unix.
    /// </summary>
    private static string SetNativeEnvironmentDefault(string name, string value)
    {
        var existing = Environment.GetEnvironmentVariable(name);
        if (!string.IsNullOrEmpty(existing)) return existing;
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(name, value);
            _ = NativeMethods.PutEnvWindows(name, value);
        }
        else
        {
            _ = NativeMethods.SetEnvUnix(name, value, 0);
            Environment.SetEnvironmentVariable(name, value);
        }
        return value;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "setenv")]
        public static extern int SetEnvUnix([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);

        [DllImport("ucrtbase", EntryPoint = "_putenv_s", CharSet = CharSet.Ansi)]
        public static extern int PutEnvWindows(string name, string value);
    }
}

/// <summary>What <see cref="LandscapeRuntime"/> loaded, from where, and how.</summary>
public sealed record TorchLoadReport(
    string LibTorchDirectory,
    string Source,
    IReadOnlyList<string> PreloadedLibraries,
    string ShimPath,
    string? PatchedShimPath,
    string? OriginalShimError,
    string OmpWaitPolicy,
    string MklConditionalReproducibility,
    string Allocator,
    bool CudaAvailable,
    int CudaDeviceCount)
{
    public bool UsedPatchedShim => PatchedShimPath is not null;

    /// <summary>True when the loaded libtorch is a CUDA build (whether or not a GPU is present).</summary>
    public bool HasCudaLibraries => PreloadedLibraries.Any(path => Path.GetFileName(path) == NativePlatform.Current.FileName("torch_cuda"));

    public IEnumerable<string> Describe()
    {
        yield return $"libtorch {TorchVersion.LibTorch} from {LibTorchDirectory} ({Source}); preloaded {string.Join(", ", PreloadedLibraries.Select(Path.GetFileName))}.";
        yield return UsedPatchedShim
            ? $"TorchSharp shim: the original {ShimPath} did not load ({OriginalShimError}); loaded the patched copy {PatchedShimPath} (GLIBCXX_3.4.32 made weak)."
            : $"TorchSharp shim: loaded {ShimPath} as shipped.";
        yield return $"CUDA: {CudaSummary}; OMP_WAIT_POLICY={OmpWaitPolicy}; MKL_CBWR={MklConditionalReproducibility}; {Allocator}.";
    }

    private string CudaSummary =>
        CudaAvailable ? $"{CudaDeviceCount} device(s)"
        : HasCudaLibraries ? "a CUDA libtorch, but no usable GPU"
        : "not in this build (CPU-only libtorch)";
}

/// <summary>The native runtime could not be loaded; the message says what was tried.</summary>
public sealed class TorchLoadException(string message) : Exception(message);

internal sealed record NativePlatform(string RuntimeIdentifier, string Prefix, string Suffix)
{
    public static NativePlatform Current { get; } =
        OperatingSystem.IsWindows() ? new NativePlatform("win-x64", "", ".dll")
        : OperatingSystem.IsMacOS() ? new NativePlatform(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "osx-arm64" : "osx-x64", "lib", ".dylib")
        : new NativePlatform(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64", "lib", ".so");

    public string FileName(string library) => Prefix + library + Suffix;
}

internal static class TorchVersion
{
    public const string LibTorch = "2.10.0";
}
