using System.Reflection;
using LossLandscape.Core.Surfaces;

namespace LossLandscape.Bench.Surfaces;

/// <summary>
/// The engine's device setting, found by reflection: a Device string on SurfaceRequest is being
/// added alongside this bench, which thereby builds against the engine with and without it and
/// passes --device on once it exists.
/// </summary>
internal static class EngineDevice
{
    private static readonly PropertyInfo? Property = typeof(SurfaceRequest).GetProperty("Device", BindingFlags.Public | BindingFlags.Instance) is { } property
        && property.PropertyType == typeof(string) && property.CanWrite ? property : null;

    /// <summary>Whether the engine can be told to run on <paramref name="device"/>; without the setting it runs on the CPU.</summary>
    public static bool Supports(string device) => device == "cpu" || Property is not null;

    public static SurfaceRequest Apply(SurfaceRequest request, string device)
    {
        if (!Supports(device)) throw new NotSupportedException(Unsupported(device));
        Property?.SetValue(request, device);
        return request;
    }

    public static string Unsupported(string device) =>
        $"--device {device}: this build's SurfaceRequest has no Device setting, so the engine runs on the CPU only.";
}
