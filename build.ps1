<#
.SYNOPSIS
    Builds, tests, cleans or packages LossLandscape.
.DESCRIPTION
    Uses only core cmdlets and the dotnet CLI, so it runs in pwsh and in the project's own shell
    (src/LossLandscape.Shell). Build lays the module out in output/LossLandscape/<version>/, from
    which 'Import-Module ./output/LossLandscape' works.

    Package (pwsh only: it needs Publish-PSResource) builds for one runtime and writes the module
    package, LossLandscape.<version>.nupkg as Publish-PSResource makes it for a local folder
    repository, into output/packages/ (or -PackagePath). The package carries that runtime's native
    libraries only: libtorch without its Python bindings, test and extra backend libraries, no .pdb
    files and no other platforms' runtimes. linux-x64 packages from the live build; win-x64 and
    osx-arm64 build apart, in output/package-build/<runtime>/, so the live module keeps its libtorch.
.PARAMETER Task
    What to do, in order: Build, Test, Clean, Package.
.PARAMETER Configuration
    Debug or Release (default).
.PARAMETER TorchBackend
    Which libtorch Build ships: cpu-linux (default), cpu-windows, cpu-osx, cuda-linux, cuda-windows.
    Package ignores it and takes the CPU libtorch of -Runtime.
.PARAMETER ArtifactsPath
    Where intermediate and final build files go instead of bin/, obj/ and output/.
.PARAMETER Runtime
    The platform that Package builds for: linux-x64 (default), win-x64 or osx-arm64.
.PARAMETER PackagePath
    The folder Package writes the .nupkg into (default: output/packages); an existing package of the
    same version there is replaced.
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
.EXAMPLE
    ./build.ps1 -Task Package -Runtime linux-x64
    Writes output/packages/LossLandscape.<version>.nupkg for Linux x64; 'Register-PSResourceRepository
    -Name Local -Uri ./output/packages -Trusted' and 'Install-PSResource LossLandscape -Repository Local'
    install it.
.EXAMPLE
    ./build.ps1 -Task Package -Runtime win-x64 -PackagePath /tmp/ll-packages
    The Windows package into /tmp/ll-packages; it fails, naming the package, where the registry does not
    serve libtorch-cpu-win-x64.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('cpu-linux', 'cpu-windows', 'cpu-osx', 'cuda-linux', 'cuda-windows')]
    [string] $TorchBackend = 'cpu-linux',

    [string] $ArtifactsPath,

    [ValidateSet('linux-x64', 'win-x64', 'osx-arm64')]
    [string] $Runtime = 'linux-x64',

    [string] $PackagePath
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleProject = [System.IO.Path]::Combine($root, 'src', 'LossLandscape.PowerShell', 'LossLandscape.PowerShell.csproj')
$solution = [System.IO.Path]::Combine($root, 'LossLandscape.sln')
$manifestText = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($root, 'LossLandscape.psd1'))
$moduleVersion = [regex]::Match($manifestText, "ModuleVersion\s*=\s*'([0-9.]+)'").Groups[1].Value
$libTorchVersion = [regex]::Match([System.IO.File]::ReadAllText([System.IO.Path]::Combine($root, 'Directory.Packages.props')), '<LibTorchVersion>([^<]+)<').Groups[1].Value

function Invoke-Dotnet {
    [CmdletBinding()]
    param([string[]] $Arguments)
    # Write-Verbose lives in Microsoft.PowerShell.Utility, which a bare hosted engine (System.Management.Automation
    # alone, as RepositoryTests runs this script) does not have.
    $PSCmdlet.WriteVerbose("dotnet $($Arguments -join ' ')")
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

# Where a build lays the module out: output/LossLandscape/<version>/ unless -Artifacts moves it.
function Get-ModuleFolder([string] $Artifacts) {
    $moduleRoot = if ($Artifacts) { [System.IO.Path]::Combine([System.IO.Path]::GetFullPath($Artifacts), 'module', 'LossLandscape') } else { [System.IO.Path]::Combine($root, 'output', 'LossLandscape') }
    [System.IO.Path]::Combine($moduleRoot, $moduleVersion)
}

function Invoke-ModuleBuild {
    [CmdletBinding()]
    param([string] $Backend, [string] $Artifacts)
    $arguments = @('build', $moduleProject, '-c', $Configuration, "-p:TorchBackend=$Backend", '--nologo')
    if ($Artifacts) {
        $full = [System.IO.Path]::GetFullPath($Artifacts)
        $moduleRoot = [System.IO.Path]::GetDirectoryName((Get-ModuleFolder $Artifacts)) + [System.IO.Path]::DirectorySeparatorChar
        $arguments += @('--artifacts-path', $full, "-p:ModuleOutputRoot=$moduleRoot")
    }
    Invoke-Dotnet -Arguments $arguments
}

# What of the libtorch packages' native folders the module never loads: the Python bindings and their
# shared-memory helper (libshm), and libraries that only PyTorch's own tests and optional backends use
# (33 MB on linux-x64, most of it libtorch_python). TorchSharp needs libLibTorchSharp, libtorch,
# libtorch_cpu, libc10 and the OpenMP runtime; .ci/package.ps1 runs the pipeline from the installed
# package to check that. torch_global_deps (9 KB) stays: whether TorchSharp's loader asks for it on
# Windows and macOS is not checked here.
$unusedNatives = @(
    '*torch_python*', '*shm.*', '*_test.*', '*backend_with_compiler*', '*aoti_custom_ops*',
    '*nnapi_backend*', '*.pdb', '*.lib'
)

# Copies a laid-out module into $Stage with only $Rid's natives. SkiaSharp puts its macOS library in
# runtimes/osx (one universal file) and the module probes runtimes/<rid>/native only, so the natives of
# the runtime's family folder are merged into the runtime's own.
function Copy-PackageContent {
    [CmdletBinding()]
    param([string] $Module, [string] $Stage, [string] $Rid, [string] $Libtorch)
    foreach ($file in [System.IO.Directory]::EnumerateFiles($Module, '*', [System.IO.SearchOption]::AllDirectories)) {
        $relative = [System.IO.Path]::GetRelativePath($Module, $file).Replace('\', '/')
        if ($relative -like '*.pdb' -or $relative -like 'bin/runtimes/*') { continue }
        $target = [System.IO.Path]::Combine($Stage, $relative)
        $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($target))
        [System.IO.File]::Copy($file, $target, $true)
    }
    $family = $Rid.Split('-')[0]
    $targetNative = [System.IO.Path]::Combine($Stage, 'bin', 'runtimes', $Rid, 'native')
    $null = [System.IO.Directory]::CreateDirectory($targetNative)
    $found = $false
    foreach ($folder in @($Rid, $family)) {
        $native = [System.IO.Path]::Combine($Module, 'bin', 'runtimes', $folder, 'native')
        if (-not [System.IO.Directory]::Exists($native)) { continue }
        foreach ($file in [System.IO.Directory]::GetFiles($native)) {
            $name = [System.IO.Path]::GetFileName($file)
            if ($unusedNatives.Where({ $name -like $_ }, 'First').Count -gt 0) { continue }
            [System.IO.File]::Copy($file, [System.IO.Path]::Combine($targetNative, $name), $true)
            $found = $true
        }
    }
    if (-not $found) { throw "The build in $Module has no native libraries for $Rid." }
    foreach ($name in @('LICENSE', 'THIRD-PARTY-NOTICES.md')) {
        [System.IO.File]::Copy([System.IO.Path]::Combine($root, $name), [System.IO.Path]::Combine($Stage, $name), $true)
    }
    # libtorch's licence names the many projects it incorporates; THIRD-PARTY-NOTICES.md points to it.
    $globalPackages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $libtorchLicence = [System.IO.Path]::Combine($globalPackages, $Libtorch.ToLowerInvariant(), $libTorchVersion, 'LICENSE-LIBTORCH.txt')
    if (-not [System.IO.File]::Exists($libtorchLicence)) { throw "libtorch's licence is not at $libtorchLicence." }
    [System.IO.File]::Copy($libtorchLicence, [System.IO.Path]::Combine($Stage, 'LICENSE-LIBTORCH.txt'), $true)
}

function New-ModulePackage {
    [CmdletBinding()]
    param([string] $Rid)
    if (-not (Get-Command -Name Publish-PSResource -ErrorAction SilentlyContinue)) {
        throw 'The Package task needs Publish-PSResource (Microsoft.PowerShell.PSResourceGet, part of pwsh 7.4 and later): run build.ps1 in pwsh.'
    }
    $backend = @{ 'linux-x64' = 'cpu-linux'; 'win-x64' = 'cpu-windows'; 'osx-arm64' = 'cpu-osx' }[$Rid]
    $libtorch = @{ 'linux-x64' = 'libtorch-cpu-linux-x64'; 'win-x64' = 'libtorch-cpu-win-x64'; 'osx-arm64' = 'libtorch-cpu-osx-arm64' }[$Rid]
    # Another libtorch in the live build would replace the natives that running hosts use.
    $artifacts = if ($ArtifactsPath) { $ArtifactsPath } elseif ($Rid -ne 'linux-x64') { [System.IO.Path]::Combine($root, 'output', 'package-build', $Rid) }
    try {
        # Its output goes to the host: the package file is what this task emits.
        Invoke-ModuleBuild -Backend $backend -Artifacts $artifacts | Out-Host
    }
    catch {
        throw "Building the $Rid module failed; it needs the NuGet package $libtorch $libTorchVersion (and SkiaSharp's natives for $Rid) from a package source. $($_.Exception.Message)"
    }
    $module = Get-ModuleFolder $artifacts
    $packages = [System.IO.Path]::GetFullPath($(if ($PackagePath) { $PackagePath } else { [System.IO.Path]::Combine($root, 'output', 'packages') }))
    $stageRoot = [System.IO.Path]::Combine($root, 'output', 'package-stage', $Rid)
    if ([System.IO.Directory]::Exists($stageRoot)) { [System.IO.Directory]::Delete($stageRoot, $true) }
    $stage = [System.IO.Path]::Combine($stageRoot, 'LossLandscape')
    Copy-PackageContent -Module $module -Stage $stage -Rid $Rid -Libtorch $libtorch

    $null = [System.IO.Directory]::CreateDirectory($packages)
    $package = [System.IO.Path]::Combine($packages, "LossLandscape.$moduleVersion.nupkg")
    if ([System.IO.File]::Exists($package)) { [System.IO.File]::Delete($package) }
    # Publish-PSResource writes only to a registered repository: a temporary one over the package folder.
    $repository = "LossLandscapeBuild-$([guid]::NewGuid().ToString('N'))"
    Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
    try {
        Publish-PSResource -Path $stage -Repository $repository -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
        [System.IO.Directory]::Delete($stageRoot, $true)
    }
    if (-not [System.IO.File]::Exists($package)) { throw "Publish-PSResource did not write $package." }
    Get-Item -LiteralPath $package
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
            Invoke-ModuleBuild -Backend $TorchBackend -Artifacts $ArtifactsPath
        }
        'Package' {
            New-ModulePackage -Rid $Runtime
        }
        'Test' {
            Invoke-Dotnet -Arguments @('test', $solution, '-c', $Configuration, '--nologo')
        }
    }
}
