using System.Management.Automation;
using LossLandscape.Core.Models;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Checks a model name (-Model of Invoke-LandscapeTraining) when it is bound, in any letter case,
/// like ValidateSet but with a message listing the zoo: a name typed on the command line is a
/// terminating ParameterArgumentValidationError before anything runs (as -Device is); a bad name
/// piped by property name fails that input object only, as PowerShell does for every validation.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateArchitectureAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        var name = element is PSObject wrapped ? wrapped.BaseObject as string : element as string;
        if (ModelZoo.Architectures.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase))) return;
        throw new ValidationMetadataException($"'{name}' is not a model of the zoo; use one of {string.Join(", ", ModelZoo.Architectures)}.");
    }
}
