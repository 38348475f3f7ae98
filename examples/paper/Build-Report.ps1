<#
.SYNOPSIS
    Reproduces four findings of Li et al. (2018), "Visualizing the Loss Landscape of Neural Nets", and
    one of Andriushchenko et al. (2023) on adaptive sharpness at small scale with this module, and writes
    REPORT.md: runs 1-sharpness.ps1, 2-skip-connections.ps1, 3-trajectories.ps1, 4-curvature.ps1 and
    5-adaptive-sharpness.ps1 (training, surfaces, figures, numbers) and joins their sections with the
    settings, the seeds and a verdict per claim. Rerunning reuses the checkpoints
    and surface files already in -OutputDirectory.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/Build-Report.ps1
.EXAMPLE
    ./examples/paper/Build-Report.ps1 -Tiny -OutputDirectory /tmp/paper -ReportPath /tmp/paper/REPORT.md
#>
param(
    # Tiny versions of every script (seconds each): what the tests run so that the scripts don't rot.
    [switch] $Tiny,
    # Checkpoints and surface files (large; gitignored under examples/paper/out).
    [string] $OutputDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out'),
    # The report; its figures go to the folder 'figures' beside it.
    [string] $ReportPath = [System.IO.Path]::Combine($PSScriptRoot, 'REPORT.md')
)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))

$reportFile = [System.IO.Path]::GetFullPath($ReportPath)
$figures = New-Folder ([System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($reportFile), 'figures'))
$common = @{ Tiny = $Tiny; OutputDirectory = $OutputDirectory; FigureDirectory = $figures }
# Claim 5 draws no figure: its numbers are a table.
$arguments = [ordered]@{
    '1-sharpness.ps1' = $common; '2-skip-connections.ps1' = $common; '3-trajectories.ps1' = $common; '4-curvature.ps1' = $common
    '5-adaptive-sharpness.ps1' = @{ Tiny = $Tiny; OutputDirectory = $OutputDirectory }
}

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$timings = [ordered]@{}
$results = foreach ($script in $arguments.Keys) {
    $started = $clock.Elapsed
    $scriptArguments = $arguments[$script]
    $result = & ([System.IO.Path]::Combine($PSScriptRoot, $script)) @scriptArguments
    $timings[$script] = ($clock.Elapsed - $started).TotalSeconds
    # Progress for whoever watches; the results stay out of stdout until the report is written.
    [System.Console]::Error.WriteLine(("{0}: claim {1} {2} ({3} s)" -f $script, $result.Claim, $(if ($result.Holds) { 'holds' } else { 'does not hold' }), (Format-Number $timings[$script] 'F0')))
    $result
}

$settings = Get-LandscapeSetting
$summary = foreach ($result in $results) {
    $title = ($result.Markdown -split "`n")[0] -replace '^## ', ''
    '| {0} | {1} |' -f $title, $(if ($result.Holds) { 'agrees' } else { 'does not (fully) agree — see the section' })
}
$timingRows = foreach ($entry in $timings.GetEnumerator()) { '| {0} | {1} |' -f $entry.Key, (Format-Number $entry.Value 'F0') }

$report = @"
# Li et al. (2018) at small scale, with LossLandscape

Four findings of *Visualizing the Loss Landscape of Neural Nets* (Li, Xu, Taylor, Studer, Goldstein,
NeurIPS 2018), and one on adaptive sharpness after Andriushchenko et al. (ICML 2023), checked with this
module's own cmdlets, as a user would run them, on data built into the module (no download). Each claim
comes with a number defined below and a verdict; where our measurement disagrees, the verdict says so.$(if ($Tiny) { "`n`n**This is a TINY run (the test suite's smoke version): the numbers are meaningless.**" })

Regenerate everything (training, surfaces, figures, this file) from a fresh clone with one command:

``````bash
dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/Build-Report.ps1
``````

| Claim | Our measurement |
|---|---|
$($summary -join "`n")

$(($results | ForEach-Object { $_.Markdown }) -join "`n`n")

## How this report was made

- Scripts: ``examples/paper/1-sharpness.ps1``, ``2-skip-connections.ps1``, ``3-trajectories.ps1``,
  ``4-curvature.ps1``, ``5-adaptive-sharpness.ps1``, joined by ``Build-Report.ps1``$(if ($Tiny) { ' -Tiny' }). Training seed 1
  for every run of claims 1–4, seeds 1–3 in claim 5; the random directions' seeds are given in each section. Checkpoints and surface files are kept in the
  output folder (``examples/paper/out`` by default), so a rerun reuses them.
- Machine: $([System.Environment]::ProcessorCount) logical cores, $($settings.ThreadCount) libtorch thread(s); LossLandscape $((Get-Module LossLandscape).Version).
- Wall time per script (seconds; shared machine):

| Script | Seconds |
|---|---|
$($timingRows -join "`n")
| total | $(Format-Number $clock.Elapsed.TotalSeconds 'F0') |
"@

[System.IO.File]::WriteAllText($reportFile, $report.Replace("`r`n", "`n") + "`n", [System.Text.UTF8Encoding]::new($false))
"Report: $reportFile"
foreach ($result in $results) { foreach ($figure in $result.Figures) { "Plot: $figure" } }
