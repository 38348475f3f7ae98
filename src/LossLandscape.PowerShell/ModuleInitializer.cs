using System.Management.Automation;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell;

/// <summary>Runs on Import-Module: makes the module's native libraries findable inside any PowerShell host.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport() => NativeLibraryResolver.Register(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!);
}
