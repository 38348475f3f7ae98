using System.Management.Automation;
using LossLandscape.Core.Data;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Types;

/// <summary>Lets -Dataset take a name ("Digits") as well as a <see cref="LandscapeDataset"/> (live or deserialized).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DatasetTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        if (inputData is PSObject serialized && serialized.TypeNames.FirstOrDefault() == RehydrateAttribute.DeserializedPrefix + typeof(LandscapeDataset).FullName) return RehydrateAttribute.Rehydrate(serialized);
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            LandscapeDataset dataset => dataset,
            string name => ResolveName(name),
            _ => throw new ArgumentTransformationMetadataException($"Expected a data set name ({string.Join(", ", DatasetCatalog.Names)}) or the output of Get-LandscapeDataset, got {value?.GetType().Name ?? "null"}."),
        };
    }

    private static LandscapeDataset ResolveName(string name)
    {
        try
        {
            return LandscapeDataset.Resolve(LandscapeRuntime.Load().DatasetCache, new DatasetReference(name));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
