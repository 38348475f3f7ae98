using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Infrastructure;

/// <summary>The process's runtime as the module uses it: loaded, with the child shell that vets TorchScript files named.</summary>
internal static class ModuleRuntime
{
    /// <exception cref="TorchLoadException">libtorch could not be loaded.</exception>
    public static LandscapeRuntime Load()
    {
        var runtime = LandscapeRuntime.Load();
        // TorchScript is loaded in a child first (TorchScriptVetter): this process when it is the shell or pwsh, else one on PATH.
        runtime.TorchScriptVetter.ChildCommand ??= TaskRunner.Command(null, TorchScriptVetter.ChildScript);
        return runtime;
    }
}
