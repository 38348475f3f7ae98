<#
.SYNOPSIS
    Builds the linux-x64 module package and uses it as a user of the Gallery would: publishes it to a local
    folder repository, installs it from there with Install-PSResource under a temporary HOME, and in fresh
    pwsh processes imports it by name, runs the design-card pipeline and a Slurm job (stub sbatch), and
    checks that its dependencies stay apart from other versions of them already in the session.
.DESCRIPTION
    Run by .ci/run after the tests: dotnet tool run pwsh -NoProfile -File .ci/package.ps1
    Exits non-zero on any failure. Prints the package size, the installed size and the wall time.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$root = Split-Path -Parent $PSScriptRoot
$work = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "ll-package-$([guid]::NewGuid().ToString('N'))")
$packages = [System.IO.Path]::Combine($work, 'packages')
$home_ = [System.IO.Path]::Combine($work, 'home')
$null = [System.IO.Directory]::CreateDirectory($home_)

# The children run the pwsh that runs this script, by its own files: 'dotnet tool run' would look for the
# tool in the NuGet cache under HOME, which the children do not share.
$pwshDll = [System.IO.Path]::Combine($PSHOME, 'pwsh.dll')
$dotnet = [System.Environment]::ProcessPath

function Format-Size([long] $bytes) { '{0:N1} MiB' -f ($bytes / 1MB) }

function Get-FolderSize([string] $path) {
    ([System.IO.DirectoryInfo]::new($path).EnumerateFiles('*', [System.IO.SearchOption]::AllDirectories) | Measure-Object -Property Length -Sum).Sum
}

# Runs a script in a fresh pwsh with the temporary HOME (so Register-PSResourceRepository and
# Install-PSResource -Scope CurrentUser touch only it) and the installed modules first on PSModulePath.
function Invoke-Fresh {
    param([string] $Name, [string] $Script, [string[]] $Arguments = @())
    Write-Host "--- $Name"
    $file = [System.IO.Path]::Combine($work, "$Name.ps1")
    [System.IO.File]::WriteAllText($file, "`$ErrorActionPreference = 'Stop'`n$Script")
    $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; PATH = $env:PATH }
    try {
        $env:HOME = $home_
        $env:PSModulePath = "$installedModules$([System.IO.Path]::PathSeparator)$env:PSModulePath"
        $env:PATH = "$stubBin$([System.IO.Path]::PathSeparator)$env:PATH"
        & $dotnet $pwshDll -NoProfile -NonInteractive -File $file @Arguments
        if ($LASTEXITCODE -ne 0) { throw "$Name failed (exit code $LASTEXITCODE)." }
    }
    finally {
        foreach ($key in $saved.Keys) { Set-Item -Path "env:$key" -Value $saved[$key] }
    }
}

try {
    # Where Install-PSResource -Scope CurrentUser puts modules on Linux and macOS.
    $installedModules = [System.IO.Path]::Combine($home_, '.local', 'share', 'powershell', 'Modules')
    $stubBin = [System.IO.Path]::Combine($work, 'stub-bin')
    $null = [System.IO.Directory]::CreateDirectory($stubBin)
    # sbatch --parsable prints the job id; this one also records its arguments, one per line, for the check below.
    $sbatch = [System.IO.Path]::Combine($stubBin, 'sbatch')
    [System.IO.File]::WriteAllText($sbatch, "#!/bin/bash`nlog=`"`$STUB_SBATCH_LOG`"`nn=`$(( `$(ls `"`$log`" | wc -l) + 1 ))`nprintf '%s\n' `"`$@`" > `"`$log/sbatch-`$n`"`necho `"`$n`"`n")
    [System.IO.File]::SetUnixFileMode($sbatch, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    $env:STUB_SBATCH_LOG = [System.IO.Path]::Combine($work, 'sbatch-log')
    $null = [System.IO.Directory]::CreateDirectory($env:STUB_SBATCH_LOG)

    Write-Host '--- build the linux-x64 package'
    $package = & ([System.IO.Path]::Combine($root, 'build.ps1')) -Task Package -Runtime linux-x64 -PackagePath $packages
    Write-Host "package: $($package.FullName) $(Format-Size $package.Length)"

    # Other versions of our managed dependencies, for the isolation check (restored, not built).
    & dotnet restore ([System.IO.Path]::Combine($PSScriptRoot, 'conflicting-assemblies', 'ConflictingAssemblies.csproj')) --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Restoring the conflicting assemblies failed.' }
    $nuget = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $otherFSharp = [System.IO.Path]::Combine($nuget, 'fsharp.core', '4.7.2', 'lib', 'netstandard2.0', 'FSharp.Core.dll')
    $otherSkia = [System.IO.Path]::Combine($nuget, 'skiasharp', '2.88.9', 'lib', 'net6.0', 'SkiaSharp.dll')

    Invoke-Fresh -Name install -Arguments @($packages) -Script @'
$repository = 'LossLandscapeCI'
Register-PSResourceRepository -Name $repository -Uri $args[0] -Trusted
Install-PSResource -Name LossLandscape -Repository $repository -Scope CurrentUser -Quiet
$found = Get-InstalledPSResource -Name LossLandscape -Scope CurrentUser
"installed: LossLandscape $($found.Version) in $($found.InstalledLocation)"
'@
    $installed = [System.IO.Path]::Combine($installedModules, 'LossLandscape')
    if (-not [System.IO.Directory]::Exists($installed)) { throw "Install-PSResource put nothing in $installed." }
    Write-Host "installed size: $(Format-Size (Get-FolderSize $installed))"
    $natives = [System.IO.Directory]::GetFiles($installed, '*', [System.IO.SearchOption]::AllDirectories) | Where-Object { $_ -match '[/\\]runtimes[/\\]' }
    $otherRuntimes = $natives | Where-Object { $_ -notmatch '[/\\]runtimes[/\\]linux-x64[/\\]' }
    if ($otherRuntimes) { throw "The package carries other platforms' natives: $($otherRuntimes -join ', ')" }
    $unwanted = [System.IO.Directory]::GetFiles($installed, '*', [System.IO.SearchOption]::AllDirectories) | Where-Object { $_ -match '\.pdb$|torch_python|libshm|_test\.' }
    if ($unwanted) { throw "The package carries files it should not: $($unwanted -join ', ')" }

    # Import by name, the design-card pipeline on the built-in digits data, and a Slurm job, all from the
    # installed copy. A one-epoch run on a small subset gives the checkpoint.
    Invoke-Fresh -Name pipeline -Arguments @($installed, $work) -Script @'
$installed, $work = $args
Import-Module LossLandscape
$module = Get-Module LossLandscape
if (-not $module.ModuleBase.StartsWith($installed)) { throw "LossLandscape was imported from $($module.ModuleBase), not from $installed." }
"imported LossLandscape $($module.Version) from $($module.ModuleBase)"
$run = Join-Path $work 'run'
$null = Invoke-LandscapeTraining -Model DigitsCnn -Dataset Digits -Epochs 1 -Seed 1 -MaxSamples 200 -OutputDirectory $run
$plots = New-Item -ItemType Directory -Path (Join-Path $work 'plots')
Import-Checkpoint (Join-Path $run 'epoch-001.dat') | Get-LossSurface -Steps 5 -MaxSamples 100 | Export-LandscapePlot -Path $plots.FullName
$written = Get-ChildItem -Path $plots.FullName -Filter *.png
if ($written.Count -eq 0) { throw 'Export-LandscapePlot wrote no PNG.' }
"plots: $($written.Name -join ', ')"

$job = Import-Checkpoint (Join-Path $run 'epoch-001.dat') | Start-LossSurfaceJob -JobFolder (Join-Path $work 'job') -Shards 2 -Steps 5 -MaxSamples 100
"job: array $($job.ArrayJobId), merge $($job.MergeJobId)"
$submitted = Get-ChildItem -Path $env:STUB_SBATCH_LOG
if ($submitted.Count -ne 2) { throw "Expected 2 sbatch calls, got $($submitted.Count)." }
$manifest = Join-Path $module.ModuleBase 'LossLandscape.psd1'
foreach ($call in $submitted) {
    if ((Get-Content -LiteralPath $call.FullName) -notcontains $manifest) { throw "sbatch call $($call.Name) does not run the installed module $manifest." }
}
'sbatch was given the installed module for both submissions'
'@

    # Other versions of FSharp.Core and SkiaSharp in the default context first, as another module would
    # load them; the module must still run on its own. Then Remove-Module and Import-Module in one session.
    Invoke-Fresh -Name isolation -Arguments @($otherFSharp, $otherSkia, $work) -Script @'
$otherFSharp, $otherSkia, $work = $args
Add-Type -Path $otherFSharp
Add-Type -Path $otherSkia
Import-Module LossLandscape
$checkpoint = Join-Path $work 'run' 'epoch-001.dat'
$surface = Import-Checkpoint $checkpoint | Get-LossSurface -Steps 5 -MaxSamples 100 -Seed 2
$html = Join-Path $work 'isolation.html'
$surface | Export-LandscapePlot -Path $html
if (-not (Test-Path -LiteralPath $html)) { throw 'No HTML plot (Plotly.NET, FSharp.Core) was written.' }
$png = Join-Path $work 'isolation.png'
$surface | Export-LandscapePlot -Path $png
if (-not (Test-Path -LiteralPath $png)) { throw 'No PNG plot (ScottPlot, SkiaSharp) was written.' }
$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'FSharp.Core', 'SkiaSharp' } |
    ForEach-Object { [pscustomobject]@{ Name = $_.GetName().Name; Version = $_.GetName().Version; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name } }
$loaded | Format-Table -AutoSize | Out-String | Write-Host
foreach ($name in 'FSharp.Core', 'SkiaSharp') {
    $copies = @($loaded | Where-Object Name -eq $name)
    if ($copies.Count -ne 2 -or ($copies.Version | Select-Object -Unique).Count -ne 2) { throw "Expected two versions of $name side by side, found: $($copies | Out-String)" }
}

Remove-Module LossLandscape
Import-Module LossLandscape
$again = Import-Checkpoint $checkpoint | Get-LossSurface -Dimensions 1 -Steps 5 -MaxSamples 100
if ($again.Count -ne 1) { throw 'Get-LossSurface after Remove-Module and Import-Module returned nothing.' }
"after Remove-Module and Import-Module: $((Get-Module LossLandscape).ExportedCmdlets.Count) cmdlets, a 1D surface computed"
'@

    Invoke-Fresh -Name manifest -Arguments @($installed) -Script @'
$manifest = Get-ChildItem -Path $args[0] -Filter LossLandscape.psd1 -Recurse | Select-Object -First 1
$checked = Test-ModuleManifest -Path $manifest.FullName
"Test-ModuleManifest: $($checked.Name) $($checked.Version), $($checked.ExportedCmdlets.Count) cmdlets"
# No project site exists, so Get-Help -Online must have no address to open.
Import-Module LossLandscape
$online = Get-Command -Module LossLandscape | Where-Object { $_.HelpUri }
if ($online) { throw "Cmdlets with an online help address: $($online.Name -join ', ')" }
if ($checked.ProjectUri -or $checked.HelpInfoUri) { throw 'The manifest names a project or help address.' }
if (-not (Get-Help -Name Get-LossSurface).Synopsis.StartsWith('Computes')) { throw "The installed module's help was not found." }
'@

    Write-Host "package.ps1 passed in $([math]::Round($clock.Elapsed.TotalSeconds)) s (package $(Format-Size $package.Length), installed $(Format-Size (Get-FolderSize $installed)))."
}
finally {
    if ([System.IO.Directory]::Exists($work)) { [System.IO.Directory]::Delete($work, $true) }
}
