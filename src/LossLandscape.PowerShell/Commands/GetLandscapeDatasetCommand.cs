using System.Management.Automation;
using LossLandscape.Core.Data;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Describes a data set (name, split, optional seeded subset) for -Dataset parameters.</summary>
[Cmdlet(VerbsCommon.Get, "LandscapeDataset")]
[OutputType(typeof(LandscapeDataset))]
public sealed class GetLandscapeDatasetCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatasetCompleter))]
    public string[] Name { get; set; } = [.. DatasetCatalog.Names];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DatasetSplit Split { get; set; } = DatasetSplit.Train;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int? MaxSamples { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long SubsetSeed { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            try
            {
                WriteObject(LandscapeDataset.Resolve(new DatasetReference(name, Split, MaxSamples, SubsetSeed)));
            }
            catch (ArgumentException e)
            {
                WriteError(new ErrorRecord(e, ErrorIds.DatasetUnknown, ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
