using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Native;

namespace LossLandscape.Core.Tests.Checkpoints;

/// <summary>
/// Names the built shell as the child that loads each TorchScript file before the test process does
/// (<see cref="TorchScriptVetter"/>): the test host is neither the shell nor pwsh, so nothing else would.
/// </summary>
internal static class TorchScriptChild
{
    public static LandscapeRuntime Configure()
    {
        var runtime = LandscapeRuntime.Load();
        // The test assembly runs from tests/LossLandscape.Core.Tests/bin/<configuration>/<framework>/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = framework.Parent!.Name;
        var repository = framework.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var shell = Path.Combine(repository, "src", "LossLandscape.Shell", "bin", configuration, "net10.0", "losslandscape.dll");
        var manifest = Directory.GetFiles(Path.Combine(repository, "output", "LossLandscape"), "LossLandscape.psd1", SearchOption.AllDirectories).Single();
        runtime.TorchScriptVetter.ChildCommand ??= ["dotnet", shell, "-Module", manifest, "-CommandWithArgs", TorchScriptVetter.ChildScript, manifest];
        return runtime;
    }
}
