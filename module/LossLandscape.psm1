# The module's root: loads the cmdlets into LossLandscape's own AssemblyLoadContext, so that TorchSharp,
# FSharp.Core, SkiaSharp, Newtonsoft.Json … of ours never clash with other versions that PowerShell or
# another module loaded first. Only LossLandscape.Loader.dll, which references nothing but the framework,
# enters the default context. Only engine-core commands and .NET calls here: the project's own shell hosts
# an engine without Add-Type.
$bin = [System.IO.Path]::Combine($PSScriptRoot, 'bin')
if (-not ('LossLandscape.Loader.ModuleLoadContext' -as [type])) {
    $null = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyPath([System.IO.Path]::Combine($bin, 'LossLandscape.Loader.dll'))
}
$cmdletAssembly = [LossLandscape.Loader.ModuleLoadContext]::LoadModule($bin)
Microsoft.PowerShell.Core\Import-Module -Assembly $cmdletAssembly -ErrorAction Stop
