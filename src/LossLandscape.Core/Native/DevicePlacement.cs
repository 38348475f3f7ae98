using static TorchSharp.torch;

namespace LossLandscape.Core.Native;

/// <summary>Which device a model computes on, so its inputs can be sent there.</summary>
public static class DevicePlacement
{
    /// <summary>The device of the model's first parameter (or buffer); the CPU for a model holding neither.</summary>
    public static Device DeviceOf(nn.Module model)
    {
        var first = model.parameters().Select(p => (Tensor)p).FirstOrDefault() ?? model.buffers().FirstOrDefault();
        return first?.device ?? CPU;
    }

    public static bool IsOn(this Tensor tensor, Device device) =>
        tensor.device_type == device.type && tensor.device_index == device.index;
}
