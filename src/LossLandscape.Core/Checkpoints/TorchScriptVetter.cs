using System.Diagnostics;
using System.Security.Cryptography;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// libtorch answers some TorchScript files (a data.pkl naming os.system, code it cannot compile) with
/// a C++ exception that TorchSharp does not catch: std::terminate ends the whole process, and every
/// file and surface of the call with it. So a file is loaded first by a child process; this process
/// then loads only a private copy of the very bytes the child loaded, and only if the child succeeded.
/// </summary>
public sealed class TorchScriptVetter
{
    /// <summary>What the child prints, followed by the SHA-256 of the bytes it loaded.</summary>
    public const string LoadedMarker = "TorchScript loaded:";

    /// <summary>
    /// The PowerShell the child runs: <c>$args[0]</c> is the module manifest (imported so the child
    /// has this assembly), <c>$args[1]</c> the file. Values arrive as arguments, never as code.
    /// </summary>
    public const string ChildScript =
        "$ErrorActionPreference = 'Stop'; Import-Module -Name $args[0]; " +
        // The module's assemblies live in its own AssemblyLoadContext, which PowerShell's type literals do not see.
        "$context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command -Name Import-Checkpoint -Module LossLandscape).ImplementingType.Assembly); " +
        "$vetter = $context.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('LossLandscape.Core')).GetType('LossLandscape.Core.Checkpoints.TorchScriptVetter', $true); " +
        "[Console]::Out.WriteLine($vetter::LoadInThisProcess($args[1]))";

    private readonly HashSet<string> vettedSha256 = new(StringComparer.Ordinal);
    private readonly object gate = new();

    /// <summary>
    /// The program and arguments that start a child running <see cref="ChildScript"/> with the module
    /// manifest as its first argument; the file is appended. Null: no child can be started, and
    /// TorchScript files are refused rather than loaded unvetted.
    /// </summary>
    public IReadOnlyList<string>? ChildCommand { get; set; }

    /// <summary>How long a child may take to load a file (its start, libtorch's load and the model's).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The child's side: loads the file in this process and reports the hash of what it loaded.</summary>
    public static string LoadInThisProcess(string path)
    {
        LandscapeRuntime.Load();
        var bytes = File.ReadAllBytes(path);
        using var module = jit.load<Tensor, Tensor>(path);
        return $"{LoadedMarker} {Convert.ToHexString(SHA256.HashData(bytes))}";
    }

    /// <summary>
    /// Copies the file's bytes into a new private folder, has a child load that copy (unless the same
    /// bytes were vetted before in this process), and returns the copy; the caller loads it and then
    /// deletes its folder. Nobody else can write that folder, so what is loaded here is what the child loaded.
    /// </summary>
    /// <exception cref="CheckpointException">No child can be started, or the child failed to load the file.</exception>
    public string VettedCopy(string path)
    {
        RegularFileCheck(path);
        var bytes = File.ReadAllBytes(path);
        var sha256 = Convert.ToHexString(SHA256.HashData(bytes));
        var folder = Directory.CreateTempSubdirectory("losslandscape-torchscript-");
        var copy = Path.Combine(folder.FullName, "model.pt");
        try
        {
            File.WriteAllBytes(copy, bytes);
            bool known;
            lock (gate) known = vettedSha256.Contains(sha256);
            if (!known)
            {
                LoadInChild(path, copy, sha256);
                lock (gate) vettedSha256.Add(sha256);
            }
            return copy;
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    private static void RegularFileCheck(string path)
    {
        try
        {
            Common.RegularFile.Require(path, "TorchScript file");
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, e.Message, e);
        }
    }

    private void LoadInChild(string path, string copy, string sha256)
    {
        var command = ChildCommand ?? throw new CheckpointException(CheckpointErrorKind.Corrupt, path,
            $"'{path}' is TorchScript, which is loaded in this process only after a separate process has loaded it, and no LossLandscape shell or pwsh was found to start one.");
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        start.ArgumentList.Add(copy);
        using var child = Process.Start(start) ?? throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"Could not start '{command[0]}' to load '{path}' in a separate process.");
        child.StandardInput.Close();
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(Timeout))
        {
            child.Kill(entireProcessTree: true);
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"Loading the TorchScript file '{path}' in a separate process took more than {Timeout.TotalSeconds:F0} s; it was stopped.");
        }
        var loaded = output.Result.Contains($"{LoadedMarker} {sha256}", StringComparison.Ordinal);
        if (child.ExitCode != 0 || !loaded)
        {
            var reason = string.Join(' ', error.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4));
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path,
                $"libtorch could not load the TorchScript file '{path}' (tried in a separate process, which ended with exit code {child.ExitCode}): {reason}");
        }
    }
}
