using System.Management.Automation;
using LossLandscape.Core.Data;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>
/// Describes a data set (a built-in name, or a folder in the CIFAR-10 binary or MNIST idx format; split;
/// optional seeded subset) for -Dataset parameters. The data are read once here to check them.
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
    [ValidateSet(nameof(DatasetFormat.Cifar10), nameof(DatasetFormat.Mnist), nameof(DatasetFormat.Tensors))]
    public DatasetFormat Format { get; set; }

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
                Emit(() => DatasetCatalog.FromFolder(folder, Format, Split) with { MaxSamples = MaxSamples, SubsetSeed = SubsetSeed }, argument);
            }
            return;
        }
        foreach (var name in Name) Emit(() => new DatasetReference(name, Split, MaxSamples, SubsetSeed), name);
    }

    private void Emit(Func<DatasetReference> reference, string target)
    {
        try
        {
            WriteObject(LandscapeDataset.Resolve(Runtime.DatasetCache, reference()));
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
