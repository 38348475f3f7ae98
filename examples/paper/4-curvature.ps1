<#
.SYNOPSIS
    Paper §6 at small scale: do convex-looking regions of a surface have only insignificant negative
    curvature? Maps the Hessian's |λmin/λmax| over a coarse grid around the digits CNN of
    1-sharpness.ps1 (batch 16, weight decay 5e-4: run it first), next to the loss contours of the
    same plane, and compares the ratio where the surface looks convex with where it does not.
    Emits one object with the numbers and a markdown section.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/4-curvature.ps1
#>
param(
    # A version of a few seconds for the tests: a 3×3 map on few images.
    [switch] $Tiny,
    [string] $OutputDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out'),
    [string] $FigureDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'figures')
)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))

$runName = 'digits-small-wd5e-4'
$folder = [System.IO.Path]::Combine($OutputDirectory, 'runs', $runName)
$checkpoints = @(Import-Checkpoint -Path ([System.IO.Path]::Combine($folder, 'epoch-*.dat')))
if ($checkpoints.Count -eq 0) { throw "No checkpoints in ${folder}: run 1-sharpness.ps1 with the same -OutputDirectory first." }
$final = $checkpoints[-1]

$directionSeed = 123
$curvatureSteps = if ($Tiny) { 3 } else { 9 }
# The loss grid has twice the resolution, so every curvature point is also a loss point (index 2k).
$lossSteps = 2 * $curvatureSteps - 1
$curvatureSamples = if ($Tiny) { 50 } else { 200 }
$threshold = 0.1

$map = $final | Get-LossSurface -Metric Curvature -Steps $curvatureSteps -Seed $directionSeed -MaxSamples $curvatureSamples `
    -OutFile ([System.IO.Path]::Combine($folder, "curvature-$curvatureSteps.h5"))
$surface = $final | Get-LossSurface -Steps $lossSteps -Seed $directionSeed -OutFile ([System.IO.Path]::Combine($folder, "surface-2d-$lossSteps.h5"))

# A curvature point "looks convex" when the loss surface's discrete Hessian there (central differences
# on the finer loss grid) has no negative eigenvalue; border points have no neighbours and are left out.
$z = $surface.TrainLoss
$convexRatios = [System.Collections.Generic.List[double]]::new()
$otherRatios = [System.Collections.Generic.List[double]]::new()
for ($i = 1; $i -lt $curvatureSteps - 1; $i++) {
    for ($j = 1; $j -lt $curvatureSteps - 1; $j++) {
        $r = 2 * $i
        $c = 2 * $j
        $fxx = $z[$r, ($c + 1)] - 2 * $z[$r, $c] + $z[$r, ($c - 1)]
        $fyy = $z[($r + 1), $c] - 2 * $z[$r, $c] + $z[($r - 1), $c]
        $fxy = ($z[($r + 1), ($c + 1)] - $z[($r + 1), ($c - 1)] - $z[($r - 1), ($c + 1)] + $z[($r - 1), ($c - 1)]) / 4
        $smallest = ($fxx + $fyy) / 2 - [math]::Sqrt((($fxx - $fyy) / 2) * (($fxx - $fyy) / 2) + $fxy * $fxy)
        if ($smallest -ge 0) { $convexRatios.Add($map.EigenvalueRatio[$i, $j]) } else { $otherRatios.Add($map.EigenvalueRatio[$i, $j]) }
    }
}
function Get-Median([System.Collections.Generic.List[double]] $Values) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = $Values.ToArray()
    [System.Array]::Sort($sorted)
    $middle = [int][math]::Floor($sorted.Length / 2)
    if ($sorted.Length % 2 -eq 1) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}
# How the ratio grows away from θ*: the points within half the plot's radius, and the others.
$inner = [System.Collections.Generic.List[double]]::new()
$outer = [System.Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $curvatureSteps; $i++) {
    for ($j = 0; $j -lt $curvatureSteps; $j++) {
        if ([math]::Max([math]::Abs($map.X[$j]), [math]::Abs($map.Y[$i])) -le 0.5 + 1e-9) { $inner.Add($map.EigenvalueRatio[$i, $j]) } else { $outer.Add($map.EigenvalueRatio[$i, $j]) }
    }
}
$convexMedian = Get-Median $convexRatios
$otherMedian = Get-Median $otherRatios
$convexMax = if ($convexRatios.Count -gt 0) { [System.Linq.Enumerable]::Max($convexRatios) } else { [double]::NaN }
$convexBelow = @($convexRatios | Where-Object { $_ -lt $threshold }).Count
$centre = [int][math]::Floor($curvatureSteps / 2)
$allRatios = [double[]]@($map.EigenvalueRatio | ForEach-Object { $_ })
$holds = $convexRatios.Count -gt 0 -and $convexMedian -lt $threshold

$figures = New-Folder $FigureDirectory
$ratioFile = [System.IO.Path]::Combine($figures, '4-curvature-ratio.png')
$null = $map | Export-LandscapePlot -Path $ratioFile -Style Heatmap -Width 560 -Height 480 -Force `
    -Title "DigitsCnn (batch 16, WD 5e-4): |λmin/λmax|, $curvatureSteps×$curvatureSteps grid"
$contourFile = [System.IO.Path]::Combine($figures, '4-curvature-loss.png')
$null = $surface | Export-LandscapePlot -Path $contourFile -Style Lines -Min 0.1 -Max 10 -LevelStep 0.5 -Width 560 -Height 480 -Force `
    -Title "The same plane: train loss, $lossSteps×$lossSteps grid"

$markdown = @"
## Claim 4 — Convex-looking regions have small negative curvature (paper §6)

**Claim.** Where a filter-normalized surface looks convex, the Hessian there has no significant
negative eigenvalues: |λmin/λmax| is small; large ratios show up where the surface is visibly non-convex.

**Setting.** The final checkpoint of the digits CNN of claim 1 trained with batch 16 and weight decay 5e-4
(epoch $($final.Epoch)); the plane of two filter-normalized random directions (seed $directionSeed, biases and
BatchNorm γ/β not perturbed) over [−1, 1]². At each of $curvatureSteps×$curvatureSteps points: λmax and λmin of the Hessian
of the mean train loss over the weights (Lanczos, relative tolerance 0.01 as the paper code's eigsh) on
$curvatureSamples training images; the loss contours on a $lossSteps×$lossSteps grid of the same plane over all training images.

**Metric.** A curvature point *looks convex* when the loss surface's discrete 2D Hessian at it (central
differences on the loss grid) has no negative eigenvalue. Reported: the median and maximum of
|λmin/λmax| over the interior points that look convex, the median over those that do not, and how
many convex-looking points stay below $threshold. The claim holds when the convex-looking median is below $threshold.

| Quantity | Value |
|---|---|
| λmax at θ* | $(Format-Number $map.MaxEigenvalue[$centre, $centre] 'G4') |
| λmin at θ* | $(Format-Number $map.MinEigenvalue[$centre, $centre] 'G4') |
| &#124;λmin/λmax&#124; at θ* | $(Format-Number $map.EigenvalueRatio[$centre, $centre] 'F4') |
| Interior points that look convex | $($convexRatios.Count) of $(($curvatureSteps - 2) * ($curvatureSteps - 2)) |
| Median &#124;λmin/λmax&#124;, convex-looking | $(Format-Number $convexMedian 'F4') |
| Max &#124;λmin/λmax&#124;, convex-looking | $(Format-Number $convexMax 'F4') |
| Convex-looking points below $threshold | $convexBelow of $($convexRatios.Count) |
| Median &#124;λmin/λmax&#124;, not convex-looking | $(Format-Number $otherMedian 'F4') ($($otherRatios.Count) points) |
| Median &#124;λmin/λmax&#124; where max(&#124;α&#124;, &#124;β&#124;) ≤ 0.5 | $(Format-Number (Get-Median $inner) 'F4') ($($inner.Count) points) |
| Median &#124;λmin/λmax&#124; farther out | $(Format-Number (Get-Median $outer) 'F4') ($($outer.Count) points) |
| Range of &#124;λmin/λmax&#124; over the whole grid | $(Format-Number ([System.Linq.Enumerable]::Min($allRatios)) 'F4') – $(Format-Number ([System.Linq.Enumerable]::Max($allRatios)) 'F4') |

| &#124;λmin/λmax&#124; | Train loss |
|---|---|
| $(Get-FigureLink $ratioFile 'eigenvalue ratio map') | $(Get-FigureLink $contourFile 'loss contours') |

**Verdict.** $(if ($holds) { "Agrees: where the surface looks convex the median |λmin/λmax| is $(Format-Number $convexMedian 'F3'), below $threshold." } elseif ($convexRatios.Count -eq 0) { 'Cannot be judged: no interior point of the grid looks convex.' } else { "Does not agree: where the surface looks convex the median |λmin/λmax| is $(Format-Number $convexMedian 'F3'), not below $threshold." })
"@

[pscustomobject]@{
    Claim = 4
    Holds = $holds
    ConvexMedian = $convexMedian
    OtherMedian = $otherMedian
    Figures = @($ratioFile, $contourFile)
    Markdown = $markdown
}
