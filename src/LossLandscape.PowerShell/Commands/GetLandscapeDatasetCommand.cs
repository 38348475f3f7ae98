using System.Management.Automation;
using LossLandscape.Core.Data;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Describes a data set (a built-in name, or a folder of images or tokens in a known format; split;
/// optional seeded subset; how token sets are made) for -Dataset parameters. The data are read once
/// here to check them.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LandscapeDataset", DefaultParameterSetName = NameSet)]
[OutputType(typeof(LandscapeDataset))]
public sealed class GetLandscapeDatasetCommand : LandscapeCmdlet
{
    private const string NameSet = "Name";
    private const string FolderSet = "Folder";
    private const string LiteralFolderSet = "LiteralFolder";
    private const string DatasetSet = "Dataset";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    public string[] Name { get; set; } = [.. DatasetCatalog.Names];

    /// <summary>The folder holding the files (relative paths resolve against the current location); wildcards describe every folder they match.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FolderSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string Path { get; set; } = "";

    /// <summary>The folder as named, without wildcards (a name may hold [ ]); folders piped from Get-ChildItem bind here.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralFolderSet)]
    [ValidateNotNullOrEmpty]
    [Alias("PSPath")]
    public string LiteralPath { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FolderSet)]
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralFolderSet)]
    [ValidateSet(nameof(DatasetFormat.Cifar10), nameof(DatasetFormat.Mnist), nameof(DatasetFormat.Tensors), nameof(DatasetFormat.TokenBin), nameof(DatasetFormat.Npy))]
    public DatasetFormat Format { get; set; }

    /// <summary>The prime p of ModularArithmetic; null: its default. Range and primality are checked by the loader, which names primes near a wrong one.</summary>
    [Parameter(ParameterSetName = NameSet)]
    public int? Modulus { get; set; }

    [Parameter(ParameterSetName = NameSet)]
    public ModularOperation? Operation { get; set; }

    [Parameter(ParameterSetName = NameSet)]
    public double? TrainFraction { get; set; }

    [Parameter(ParameterSetName = NameSet)]
    public long? SplitSeed { get; set; }

    [Parameter(ParameterSetName = FolderSet)]
    [Parameter(ParameterSetName = LiteralFolderSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ContextLength { get; set; }

    [Parameter(ParameterSetName = FolderSet)]
    [Parameter(ParameterSetName = LiteralFolderSet)]
    [ValidateRange(1, int.MaxValue)]
    public int Stride { get; set; }

    [Parameter(ParameterSetName = FolderSet)]
    [Parameter(ParameterSetName = LiteralFolderSet)]
    [ValidateRange(1, int.MaxValue)]
    public int VocabularySize { get; set; }

    /// <summary>
    /// A data set piped in, to change its split or subset. Bound by value ahead of the name set, which
    /// would otherwise take its Name alone and lose a folder's path and format.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = DatasetSet)]
    public LandscapeDataset? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DatasetSplit Split { get; set; } = DatasetSplit.Train;

    /// <summary>
    /// At least 1; checked in <see cref="ProcessRecord"/> rather than by [ValidateRange], which refuses the
    /// null that a piped data set without a subset carries.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? MaxSamples { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long SubsetSeed { get; set; }

    /// <summary>Data sets on disk are decoded into the runtime's cache, which the verbose lines describe.</summary>
    protected override void BeginProcessing() => LoadRuntime();

    protected override void ProcessRecord()
    {
        if (MaxSamples is < 1)
        {
            WriteError(new ErrorRecord(new ArgumentException($"MaxSamples must be at least 1 (got {MaxSamples})."), ErrorIds.DatasetSubsetInvalid, ErrorCategory.InvalidArgument, MaxSamples));
            return;
        }
        if (ParameterSetName == DatasetSet)
        {
            Emit(() => InputObject!.Reference with { Split = Split, MaxSamples = MaxSamples, SubsetSeed = SubsetSeed }, InputObject!.Name);
            return;
        }
        if (ParameterSetName is FolderSet or LiteralFolderSet)
        {
            var literal = ParameterSetName == LiteralFolderSet;
            var argument = literal ? LiteralPath : Path;
            foreach (var folder in FileArguments.Resolve(this, argument, literal, ErrorIds.DatasetFilesMissing, "data set folder"))
            {
                Emit(() => DatasetCatalog.FromFolder(folder, Format, Split) with { MaxSamples = MaxSamples, SubsetSeed = SubsetSeed, Tokens = WindowOptions() }, argument);
            }
            return;
        }
        foreach (var name in Name) Emit(() => new DatasetReference(name, Split, MaxSamples, SubsetSeed) { Tokens = ModularOptions(name) }, name);
    }

    /// <summary>
    /// The table options for ModularArithmetic (its defaults where not given); for another name, only
    /// options actually given, which the loader then refuses: they would silently do nothing.
    /// </summary>
    private TokenOptions? ModularOptions(string name)
    {
        var given = Modulus is not null || Operation is not null || TrainFraction is not null || SplitSeed is not null;
        if (!given && !string.Equals(name, ModularArithmeticData.Name, StringComparison.OrdinalIgnoreCase)) return null;
        var defaults = TokenOptions.ModularArithmeticDefaults;
        return defaults with
        {
            Modulus = Modulus ?? defaults.Modulus,
            Operation = Operation ?? defaults.Operation,
            TrainFraction = TrainFraction ?? defaults.TrainFraction,
            SplitSeed = SplitSeed ?? defaults.SplitSeed,
        };
    }

    /// <summary>The window options of token folders; null when none is given (an image folder, or .npy rows taken as they are).</summary>
    private TokenOptions? WindowOptions()
    {
        var options = new TokenOptions { ContextLength = ContextLength, Stride = Stride, VocabularySize = VocabularySize };
        return options == new TokenOptions() ? null : options;
    }

    private void Emit(Func<DatasetReference> reference, string target)
    {
        DatasetReference? named = null;
        try
        {
            named = reference();
            WriteObject(LandscapeDataset.Resolve(Runtime.DatasetCache, named));
        }
        catch (ArgumentException e) when (named is not null && (named.Tokens is not null || DatasetCatalog.IsTokenSource(named)))
        {
            WriteError(new ErrorRecord(e, ErrorIds.DatasetTokenOptionsInvalid, ErrorCategory.InvalidArgument, target));
        }
        catch (ArgumentException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.DatasetUnknown, ErrorCategory.ObjectNotFound, target));
        }
        catch (IOException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.DatasetFilesMissing, ErrorCategory.ObjectNotFound, target));
        }
        catch (InvalidDataException e)
        {
            WriteError(new ErrorRecord(e, ErrorIds.DatasetFileInvalid, ErrorCategory.InvalidData, target));
        }
    }
}
