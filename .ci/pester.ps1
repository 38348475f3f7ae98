<#
.SYNOPSIS
    Runs the Pester suite (tests/Pester) in this pwsh against the module the build laid out in
    output/LossLandscape, with the Pester version pinned in tests/Pester/Pester.csproj.
.DESCRIPTION
    Restores tests/Pester/Pester.csproj (a PackageDownload: Pester lands in the NuGet cache, nothing
    is vendored), imports <cache>/pester/<version>/tools/Pester.psd1 and runs Invoke-Pester. Writes
    NUnit XML and, with -CountsPath, one line "<passed> <failed> <skipped>" that .ci/run adds to its
    tally. Exits 1 when a test fails (or none ran), else 0.
.EXAMPLE
    dotnet tool run pwsh -NoProfile -File .ci/pester.ps1
.EXAMPLE
    dotnet tool run pwsh -NoProfile -File .ci/pester.ps1 -Path tests/Pester/Jobs.Tests.ps1
#>
param(
    # Test files or folders, relative to the repository root (comma-separated under -File).
    [string[]] $Path = @('tests/Pester'),
    [string] $ResultPath = 'TestResults/pester.xml',
    [string] $CountsPath
)

$ErrorActionPreference = 'Stop'
$root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..'))
Set-Location $root

$project = [System.IO.Path]::Combine($root, 'tests', 'Pester', 'Pester.csproj')
# The one place the version is pinned; the exact-version brackets are NuGet's.
$version = ([xml][System.IO.File]::ReadAllText($project)).Project.ItemGroup.PackageDownload.Version.Trim('[', ']')
dotnet restore $project --verbosity quiet
if ($LASTEXITCODE -ne 0) { throw "dotnet restore $project failed (exit $LASTEXITCODE)." }
# NUGET_PACKAGES and NuGet.Config move the cache; the CLI reports where it is.
$cache = ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
$pester = [System.IO.Path]::Combine($cache, 'pester', $version, 'tools', 'Pester.psd1')
if (-not [System.IO.File]::Exists($pester)) { throw "Pester $version is not at '$pester' after the restore." }

$module = [System.IO.Path]::Combine($root, 'output', 'LossLandscape')
if (-not (Get-ChildItem -Path $module -Filter LossLandscape.psd1 -Recurse -ErrorAction SilentlyContinue)) {
    throw "No built module in '$module': run 'dotnet build src/LossLandscape.PowerShell -c Release' first."
}

Import-Module $pester -Force
$configuration = New-PesterConfiguration
# pwsh -File passes '-Path a,b' as one string: split it.
$configuration.Run.Path = @($Path -split ',' | ForEach-Object { [System.IO.Path]::GetFullPath($_.Trim(), $root) })
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = [System.IO.Path]::GetFullPath($ResultPath, $root)
$null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($configuration.TestResult.OutputPath.Value))

$watch = [System.Diagnostics.Stopwatch]::StartNew()
$result = Invoke-Pester -Configuration $configuration
if (-not $result) { throw 'Invoke-Pester returned no result.' }
# A container that fails to run (a parse error, a throwing BeforeAll) counts its tests as failed.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"Pester $version`: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped in $([int]$watch.Elapsed.TotalSeconds) s"
if ($CountsPath) {
    $counts = [System.IO.Path]::GetFullPath($CountsPath, $root)
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($counts))
    [System.IO.File]::WriteAllText($counts, "$($result.PassedCount) $failed $($result.SkippedCount)`n")
}
exit $(if ($failed -eq 0 -and $result.PassedCount -gt 0) { 0 } else { 1 })
