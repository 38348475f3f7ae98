<#
.SYNOPSIS
    Paper §4–5 at small scale: with filter normalization, is the small-batch minimum flatter than
    the large-batch one, with and without weight decay? Trains the digits CNN four times (batch 16
    and the whole split, weight decay 0 and 5e-4), measures the sharpness of each final checkpoint
    along 5 filter-normalized random directions, draws the 1D curves on one loss scale and the 1D
    interpolation between the small- and large-batch minima (paper Fig. 2). Emits one object with
    the numbers and a markdown section for the report.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/1-sharpness.ps1
.EXAMPLE
    ./examples/paper/1-sharpness.ps1 -Tiny -OutputDirectory /tmp/paper
#>
param(
    # A few seconds' version for the tests: a subset, few epochs, coarse curves.
    [switch] $Tiny,
    [string] $OutputDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out'),
    [string] $FigureDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'figures')
)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))

$seed = 1
$directionSeeds = if ($Tiny) { 1, 2 } else { 1, 2, 3, 4, 5 }
$steps = if ($Tiny) { 5 } else { 21 }
$setting = Get-BatchSizeSetting $Tiny
$trainSamples = $setting.TrainSamples
$subset = $setting.Subset
$small = $setting.Small
$large = $setting.Large

$runs = foreach ($weightDecay in $setting.WeightDecays) {
    foreach ($batch in $small, $large) { Invoke-BatchSizeRun $setting $batch $weightDecay $seed $OutputDirectory }
}

# Sharpness along direction d: the mean loss increase at α = ±0.5, (L(θ*−0.5d) + L(θ*+0.5d))/2 − L(θ*).
$figures = New-Folder $FigureDirectory
foreach ($run in $runs) {
    $values = foreach ($directionSeed in $directionSeeds) {
        $curve = $run.Final | Get-LossSurface -Dimensions 1 -Steps $steps -Seed $directionSeed -Normalization Filter @subset `
            -OutFile ([System.IO.Path]::Combine($run.Folder, "curve-seed$directionSeed-$steps.h5"))
        $centre = Get-NearestIndex $curve.X 0.0
        (($curve.TrainLoss[(Get-NearestIndex $curve.X -0.5)] + $curve.TrainLoss[(Get-NearestIndex $curve.X 0.5)]) / 2) - $curve.TrainLoss[$centre]
    }
    $run.Sharpness = Get-MeanAndSpread $values
    $run.SharpnessValues = [double[]]$values
}

# The figure: the first direction's curve of each run, train and test, on one loss axis.
$curves = foreach ($run in $runs) {
    $run.Final | Get-LossSurface -Dimensions 1 -Steps $steps -Seed $directionSeeds[0] -Split Both @subset `
        -OutFile ([System.IO.Path]::Combine($run.Folder, "curve-both-$steps.h5"))
}
$top = [math]::Ceiling((Get-FiniteMaximum ($curves | ForEach-Object { $_.TrainLoss; $_.TestLoss })) * 1.05)
$curveFiles = for ($i = 0; $i -lt $runs.Count; $i++) {
    $file = [System.IO.Path]::Combine($figures, "1-curve-$($runs[$i].Name).png")
    $null = $curves[$i] | Export-LandscapePlot -Path $file -Min 0 -Max $top -Width 640 -Height 480 -Force `
        -Title ("DigitsCnn {0}: filter-normalized 1D" -f $runs[$i].Label)
    $file
}

# Paper Fig. 2: f(t) = L(θs + t(θl − θs)), small-batch minimum at 0, large-batch at 1, per weight decay.
$undefined = $false
$interpolationFiles = foreach ($weightDecay in 0.0, 5e-4) {
    $pair = @($runs | Where-Object { $_.WeightDecay -eq $weightDecay })
    $from = $pair | Where-Object { $_.Kind -eq 'small' }
    $to = $pair | Where-Object { $_.Kind -eq 'large' }
    $direction = $from.Final | New-LandscapeDirection -Target $to.Final -BatchNormStatistics Interpolate
    $interpolation = $from.Final | Get-LossSurface -Direction $direction -XRange -0.5, 1.5 -XSteps $(if ($Tiny) { 5 } else { 41 }) -Split Both @subset
    if (@($interpolation.TrainLoss | Where-Object { [double]::IsNaN($_) }).Count -gt 0) { $undefined = $true }
    $file = [System.IO.Path]::Combine($figures, "1-interpolation-wd$(if ($weightDecay -eq 0) { '0' } else { '5e-4' }).png")
    $null = $interpolation | Export-LandscapePlot -Path $file -Width 640 -Height 480 -Force `
        -Title ("Small batch (0) to large batch (1), WD {0}" -f $(if ($weightDecay -eq 0) { '0' } else { '5e-4' }))
    $file
}

$verdicts = foreach ($weightDecay in 0.0, 5e-4) {
    $pair = @($runs | Where-Object { $_.WeightDecay -eq $weightDecay })
    $s = ($pair | Where-Object { $_.Kind -eq 'small' }).Sharpness.Mean
    $l = ($pair | Where-Object { $_.Kind -eq 'large' }).Sharpness.Mean
    [pscustomobject]@{ WeightDecay = $weightDecay; Small = $s; Large = $l; Holds = $s -lt $l }
}
$holds = @($verdicts | Where-Object { -not $_.Holds }).Count -eq 0

$rows = foreach ($run in $runs) {
    '| {0} | {1} | {2} | {3:N0} | {4} | {5} | {6} ± {7} | {8} |' -f $run.Label, $run.Epochs, $run.Milestone, ([math]::Ceiling($trainSamples / $run.BatchSize) * $run.Epochs),
        (Format-Number $run.Final.TrainLoss 'F4'), (Format-Number $run.Final.TestAccuracy 'F1'),
        (Format-Number $run.Sharpness.Mean 'F3'), (Format-Number $run.Sharpness.StandardDeviation 'F3'),
        (($run.SharpnessValues | ForEach-Object { Format-Number $_ 'F3' }) -join ', ')
}
$comparison = foreach ($v in $verdicts) {
    '- WD {0}: small batch {1} vs large batch {2} → {3}' -f $(if ($v.WeightDecay -eq 0) { '0' } else { '5e-4' }), (Format-Number $v.Small), (Format-Number $v.Large),
        $(if ($v.Holds) { 'the small-batch minimum is flatter (agrees)' } else { 'the small-batch minimum is NOT flatter (disagrees)' })
}

$markdown = @"
## Claim 1 — Filter normalization makes sharpness comparable (paper §4–5)

**Claim.** Under filter-normalized directions the minimum reached with a small batch is flatter than
the one reached with a large batch, with and without weight decay.

**Setting.** DigitsCnn on the built-in digits ($trainSamples training images), SGD with momentum 0.9,
seed $seed; small batch 16 at learning rate $($small.LearningRate), large batch $($large.BatchSize) (the whole split) at
$($large.LearningRate); learning rate ×0.1 after the epoch in the table; weight decay 0 and 5e-4. The large-batch runs
get more epochs so that both reach a minimum of the training loss. Curves: $steps points over α ∈ [−1, 1], filter-normalized random directions (biases and BatchNorm γ/β not
perturbed), evaluated on the same training images, direction seeds $($directionSeeds -join ', ').

**Metric.** Sharpness along a direction d: S(d) = (L(θ* − 0.5 d) + L(θ* + 0.5 d)) / 2 − L(θ*), the mean
increase of the training loss (cross-entropy, nats) half-way to the edge of the plot. Reported: the mean ±
standard deviation over the $($directionSeeds.Count) directions, and each value.

| Run | Epochs | LR drop after | Steps | Final train loss | Test acc. (%) | Sharpness S (mean ± sd) | Per direction |
|---|---|---|---|---|---|---|---|
$($rows -join "`n")

$($comparison -join "`n")

| | Weight decay 0 | Weight decay 5e-4 |
|---|---|---|
| Small batch (16) | $(Get-FigureLink $curveFiles[0] 'small batch, WD 0') | $(Get-FigureLink $curveFiles[2] 'small batch, WD 5e-4') |
| Large batch ($($large.BatchSize)) | $(Get-FigureLink $curveFiles[1] 'large batch, WD 0') | $(Get-FigureLink $curveFiles[3] 'large batch, WD 5e-4') |

All four curves share one loss axis (0 to $top); solid: train, dashed: test; the accuracy is on the right axis.

The 1D linear interpolation between the two minima (paper Fig. 2; t = 0 is the small-batch
minimum, t = 1 the large-batch one; BatchNorm running statistics interpolated too):

| Weight decay 0 | Weight decay 5e-4 |
|---|---|
| $(Get-FigureLink $interpolationFiles[0] 'interpolation, WD 0') | $(Get-FigureLink $interpolationFiles[1] 'interpolation, WD 5e-4') |
$(if ($undefined) { "`nWhere a curve stops, the extrapolated BatchNorm running variance has turned negative: the net's output is undefined (NaN) there, so the loss is not drawn and the accuracy falls to chance.`n" })

**Verdict.** $(if ($holds) { 'Agrees: with filter normalization the small-batch minimum is the flatter one at both weight decays.' } else { 'Does not fully agree: see the comparison above; at least one weight decay setting gives the large-batch minimum a sharpness no higher than the small-batch one.' })
"@

[pscustomobject]@{
    Claim = 1
    Holds = $holds
    Runs = $runs
    Verdicts = $verdicts
    Figures = @($curveFiles) + @($interpolationFiles)
    Markdown = $markdown
}
