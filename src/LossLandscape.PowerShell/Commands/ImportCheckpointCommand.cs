using System.Collections.ObjectModel;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Reads checkpoints (the .dat state file or its .json side file, a foreign file, or a Hugging Face
/// GPT-2 folder; wildcards allowed, or literal paths) and emits one validated <see cref="Checkpoint"/> per file. A bad file is a
/// non-terminating error; the pipeline goes on with the next.
/// </summary>
[Cmdlet(VerbsData.Import, "Checkpoint", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Checkpoint))]
public sealed class ImportCheckpointCommand : LandscapeCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Paths taken as written: '[', ']', '*' and '?' are characters of the name. Files piped in (FullName, PSPath) bind here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("FullName", "PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Read our .dat+.json checkpoints whose state file no longer has the SHA-256 its side file recorded.</summary>
    [Parameter]
    public SwitchParameter SkipHashCheck { get; set; }

    /// <summary>The zoo architecture of PyTorch or safetensors state dictionaries (they hold weights only).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ArchitectureCompleter))]
    public string? Architecture { get; set; }

    /// <summary>Width factor k of a WideResNet56 state dictionary.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int WidthFactor { get; set; } = 2;

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var literal in LiteralPath) Import(GetUnresolvedProviderPathFromPSPath(literal));
            return;
        }
        foreach (var pattern in Path)
        {
            foreach (var file in Resolve(pattern))
            {
                Import(file);
            }
        }
    }

    private IEnumerable<string> Resolve(string pattern)
    {
        Collection<string> resolved;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(pattern, out _);
        }
        catch (ItemNotFoundException)
        {
            resolved = [];
        }
        if (resolved.Count == 0)
        {
            var fullPath = GetUnresolvedProviderPathFromPSPath(pattern);
            WriteError(new CheckpointException(CheckpointErrorKind.NotFound, fullPath, $"No checkpoint matches '{pattern}'."), ErrorIds.CheckpointNotFound, ErrorCategory.ObjectNotFound, pattern);
            return [];
        }
        // A wildcard over a checkpoint folder matches each .dat and .json: import each checkpoint once.
        // Over a parent of Hugging Face folders (models/*) it matches the folders: import those too.
        return WildcardPattern.ContainsWildcardCharacters(pattern)
            ? resolved.Where(p => !p.EndsWith(CheckpointStore.MetadataExtension, StringComparison.OrdinalIgnoreCase) || !resolved.Contains(System.IO.Path.ChangeExtension(p, CheckpointStore.StateExtension)))
                      .Where(p => p.EndsWith(CheckpointStore.StateExtension, StringComparison.OrdinalIgnoreCase) || p.EndsWith(CheckpointStore.MetadataExtension, StringComparison.OrdinalIgnoreCase)
                                  || (Directory.Exists(p) && HuggingFaceCheckpoint.FolderOf(p) is not null))
            : resolved;
    }

    private ModelSpec? ArchitectureSpec()
    {
        if (Architecture is null) return null;
        var name = ModelZoo.Architectures.FirstOrDefault(a => string.Equals(a, Architecture, StringComparison.OrdinalIgnoreCase)) ?? Architecture;
        try
        {
            var spec = ModelZoo.DefaultSpec(name);
            return name == "WideResNet56" ? spec with { WidthFactor = WidthFactor } : spec;
        }
        catch (ArgumentException)
        {
            // Reported per file, as CheckpointArchitectureUnknown, so the pipeline's other inputs still run.
            return new ModelSpec { Architecture = name };
        }
    }

    private void Import(string file)
    {
        WriteVerbose($"Importing {file}");
        try
        {
            var checkpoint = CheckpointImporter.Read(Runtime, file, ArchitectureSpec(), verifyHash: !SkipHashCheck);
            foreach (var conversion in checkpoint.Conversions) WriteVerbose($"{file}: {conversion}.");
            if (checkpoint.NonFiniteCount > 0)
                WriteWarning($"{file} holds {checkpoint.NonFiniteCount} NaN or infinite value(s): a diverged or damaged checkpoint. Get-LossSurface refuses it unless -AllowNonFinite is given.");
            WriteObject(new Checkpoint(checkpoint));
        }
        catch (CheckpointException e)
        {
            var (id, category) = e.Kind switch
            {
                CheckpointErrorKind.NotFound => (ErrorIds.CheckpointNotFound, ErrorCategory.ObjectNotFound),
                CheckpointErrorKind.IsDirectory => (ErrorIds.CheckpointIsDirectory, ErrorCategory.InvalidArgument),
                CheckpointErrorKind.MissingMetadata => (ErrorIds.CheckpointMetadataMissing, ErrorCategory.ObjectNotFound),
                CheckpointErrorKind.UnknownArchitecture => (ErrorIds.CheckpointArchitectureUnknown, ErrorCategory.InvalidData),
                CheckpointErrorKind.ArchitectureMismatch => (ErrorIds.CheckpointArchitectureMismatch, ErrorCategory.InvalidData),
                CheckpointErrorKind.Unsafe => (ErrorIds.CheckpointUnsafe, ErrorCategory.SecurityError),
                CheckpointErrorKind.TooLarge => (ErrorIds.CheckpointTooLarge, ErrorCategory.LimitsExceeded),
                CheckpointErrorKind.HashMismatch => (ErrorIds.CheckpointHashMismatch, ErrorCategory.InvalidData),
                CheckpointErrorKind.NotRegularFile => (ErrorIds.CheckpointNotRegularFile, ErrorCategory.InvalidArgument),
                CheckpointErrorKind.Unsupported => (ErrorIds.CheckpointUnsupported, ErrorCategory.NotImplemented),
                _ => (ErrorIds.CheckpointCorrupt, ErrorCategory.InvalidData),
            };
            WriteError(e, id, category, file);
        }
        catch (IOException e)
        {
            WriteError(e, ErrorIds.CheckpointUnreadable, ErrorCategory.ReadError, file);
        }
        catch (UnauthorizedAccessException e)
        {
            WriteError(e, ErrorIds.CheckpointUnreadable, ErrorCategory.PermissionDenied, file);
        }
    }
}
