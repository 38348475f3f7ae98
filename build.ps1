<#
.SYNOPSIS
    Builds, tests or cleans LossLandscape.
.DESCRIPTION
    Uses only core cmdlets and the dotnet CLI, so it runs in pwsh and in the project's own shell
    (src/LossLandscape.Shell). Build lays the module out in output/LossLandscape/<version>/, from
    which 'Import-Module ./output/LossLandscape' works.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Clean, Build, Test
.EXAMPLE
    ./build.ps1 -Task Build -TorchBackend cuda-windows
.EXAMPLE
    ./build.ps1 -Task Build -ArtifactsPath /tmp/ll-build
    Builds apart from the working tree's bin/, obj/ and output/ (the layout goes to
    /tmp/ll-build/module/): the live build's files are hard links shared by running hosts, and a
    compile that rewrote them in place would crash those hosts.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Which libtorch the module ships: cpu-linux (default), cpu-windows, cpu-osx, cuda-linux, cuda-windows.
    [ValidateSet('cpu-linux', 'cpu-windows', 'cpu-osx', 'cuda-linux', 'cuda-windows')]
    [string] $TorchBackend = 'cpu-linux',

    # Where intermediate and final build files go instead of bin/, obj/ and output/.
    [string] $ArtifactsPath
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleProject = [System.IO.Path]::Combine($root, 'src', 'LossLandscape.PowerShell', 'LossLandscape.PowerShell.csproj')
$solution = [System.IO.Path]::Combine($root, 'LossLandscape.sln')

function Invoke-Dotnet {
    [CmdletBinding()]
    param([string[]] $Arguments)
    # Write-Verbose is not among the engine's core commands that the project's shell has.
    $PSCmdlet.WriteVerbose("dotnet $($Arguments -join ' ')")
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            Invoke-Dotnet -Arguments @('clean', $solution, '-c', $Configuration, '--nologo', '-v', 'quiet')
            $output = [System.IO.Path]::Combine($root, 'output')
            if ([System.IO.Directory]::Exists($output)) {
                [System.IO.Directory]::Delete($output, $true)
            }
        }
        'Build' {
            $arguments = @('build', $moduleProject, '-c', $Configuration, "-p:TorchBackend=$TorchBackend", '--nologo')
            if ($ArtifactsPath) {
                $artifacts = [System.IO.Path]::GetFullPath($ArtifactsPath)
                $moduleRoot = [System.IO.Path]::Combine($artifacts, 'module', 'LossLandscape') + [System.IO.Path]::DirectorySeparatorChar
                $arguments += @('--artifacts-path', $artifacts, "-p:ModuleOutputRoot=$moduleRoot")
            }
            Invoke-Dotnet -Arguments $arguments
        }
        'Test' {
            Invoke-Dotnet -Arguments @('test', $solution, '-c', $Configuration, '--nologo')
        }
    }
}
