using System.IO.Compression;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using static TorchSharp.torch;

namespace LossLandscape.Core.Checkpoints;

/// <summary>
/// TorchScript files (torch.jit.save): the model's code travels with its weights, so any PyTorch
/// architecture can be analysed without a C# definition.
/// </summary>
public static class TorchScriptCheckpoint
{
    /// <summary>The architecture name TorchScript checkpoints report.</summary>
    public const string ArchitectureName = "TorchScript";

    /// <summary>Whether the file is a zip archive holding TorchScript code (as opposed to a plain torch.save state dict).</summary>
    public static bool IsTorchScript(string path)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            return archive.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal))
                && archive.Entries.Any(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <exception cref="CheckpointException">The file is not a loadable TorchScript module.</exception>
    public static CheckpointInfo Read(LandscapeRuntime runtime, string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!IsTorchScript(fullPath))
            throw new CheckpointException(CheckpointErrorKind.Corrupt, fullPath, $"'{fullPath}' is not a TorchScript archive (no code/ and data.pkl entries).");
        using var model = Load(runtime, fullPath);
        using var scope = NewDisposeScope();
        var parameters = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        var tensors = model.named_parameters().Select(p => Describe(p.name, p.parameter))
            .Concat(model.named_buffers().Select(b => Describe(b.name, b.buffer)))
            .ToArray();
        var metadata = new CheckpointMetadata
        {
            Model = new ModelSpec { Architecture = ArchitectureName, InputChannels = 0, InputHeight = 0, InputWidth = 0, ClassCount = 0 },
            StateFile = Path.GetFileName(fullPath),
            StateSha256 = CheckpointStore.Sha256(fullPath),
        };
        return new CheckpointInfo(fullPath, fullPath, metadata, tensors, LayerSummary.From(tensors, parameters),
            tensors.Where(t => parameters.Contains(t.Name)).Sum(t => t.ElementCount))
        {
            Format = CheckpointFormat.TorchScript,
        };
    }

    /// <summary>Loads the module for evaluation (eval mode), after a child process loaded the same bytes. The caller disposes it.</summary>
    /// <exception cref="CheckpointException">The child could not load it (or none could be started), or libtorch here could not.</exception>
    /// <param name="runtime">The loaded runtime: jit.load may be the first torch call of an import, and must not come before the native load; its vetter starts the child.</param>
    public static nn.Module Load(LandscapeRuntime runtime, string path)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var copy = runtime.TorchScriptVetter.VettedCopy(path);
        try
        {
            var module = jit.load<Tensor, Tensor>(copy);
            module.eval();
            return module;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"libtorch could not load the TorchScript file '{path}': {e.Message}", e);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    private static StateTensorInfo Describe(string name, Tensor tensor)
    {
        var nonFinite = tensor.is_floating_point() ? tensor.isfinite().logical_not().sum().item<long>() : 0;
        return new(name, tensor.dtype.ToString().ToLowerInvariant(), tensor.shape) { NonFiniteCount = nonFinite };
    }
}
