using System.Management.Automation;
using LossLandscape.Core.Native;
using LossLandscape.PowerShell.Completers;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>Base of the cmdlets that run the model: they take -Device and check it before anything is computed.</summary>
public abstract class ComputeCmdlet : LandscapeCmdlet
{
    /// <summary>Where to compute: cpu (default), cuda or cuda:N. CUDA needs a module built with a CUDA libtorch (README, "Devices").</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DeviceCompleter))]
    [ValidateDevice]
    public string Device { get; set; } = ComputeDevice.Cpu.ToString();

    /// <summary>The checked -Device, set by <see cref="BeginProcessing"/>.</summary>
    protected ComputeDevice SelectedDevice { get; private set; } = ComputeDevice.Cpu;

    protected override void BeginProcessing() => SelectedDevice = EnsureComputeDevice(Device);

    /// <summary>False for cmdlets that only describe work for other machines: the device is parsed but need not exist here.</summary>
    protected virtual bool ComputesHere => true;

    /// <summary>
    /// For the cmdlets that compute: reads -Device, loads the runtime, checks that the device exists.
    /// An unparsable name never gets here (<see cref="ValidateDeviceAttribute"/> refuses it at binding);
    /// a device this process lacks is a terminating DeviceUnavailable raised before any tensor exists,
    /// so nothing is computed or written.
    /// </summary>
    private ComputeDevice EnsureComputeDevice(string device)
    {
        var parsed = ComputeDevice.Parse(device);
        if (!ComputesHere) return parsed;
        var runtime = LoadRuntime();
        try
        {
            parsed.EnsureAvailable(runtime);
        }
        catch (DeviceUnavailableException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.DeviceUnavailable, ErrorCategory.ResourceUnavailable, device));
            throw;
        }
        WriteVerbose($"Device {parsed}; {runtime.ThreadCount} intra-op thread(s) in force.");
        return parsed;
    }
}
