# The module's root: loads the cmdlets into LossLandscape's own AssemblyLoadContext, so that TorchSharp,
# FSharp.Core, SkiaSharp, Newtonsoft.Json … of ours never clash with other versions that PowerShell or
# another module loaded first. Only LossLandscape.Loader.dll, which references nothing but the framework,
# enters the default context. Only Microsoft.PowerShell.Core commands and .NET calls here, so no other
# module has to load first.
$bin = [System.IO.Path]::Combine($PSScriptRoot, 'bin')
if (-not ('LossLandscape.Loader.ModuleLoadContext' -as [type])) {
    $null = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyPath([System.IO.Path]::Combine($bin, 'LossLandscape.Loader.dll'))
}
$reimport = [LossLandscape.Loader.ModuleLoadContext]::WasLoaded($bin)
$cmdletAssembly = [LossLandscape.Loader.ModuleLoadContext]::LoadModule($bin)
$cmdlets = Microsoft.PowerShell.Core\Import-Module -Assembly $cmdletAssembly -PassThru -ErrorAction Stop
if ($reimport) {
    # On a re-import (Import-Module -Force) pwsh hands back its cached module for an assembly it imported
    # before and exports none of its cmdlets through this script module (PowerShell/PowerShell#20710), so
    # they are added here, as PSToml does; the method is internal, hence reflection.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $cmdlets.ExportedCmdlets.Values) {
        $null = $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
