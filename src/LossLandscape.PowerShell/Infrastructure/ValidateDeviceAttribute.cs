using System.Management.Automation;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>
/// Checks -Device when it is bound. A misspelt value is a bad argument, not a failure of one input
/// object, so it is refused at binding time like ValidateSet refuses one: a terminating
/// ParameterArgumentValidationError before BeginProcessing (nothing is loaded, computed or written),
/// the same way as -Model, with a message that lists the accepted forms. ValidateSet itself cannot
/// be used: cuda:N has no fixed list.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateDeviceAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var text = arguments is PSObject wrapped ? wrapped.BaseObject as string : arguments as string;
        try
        {
            ComputeDevice.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new ValidationMetadataException(e.Message, e);
        }
    }
}
