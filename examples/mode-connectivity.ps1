<#
.SYNOPSIS
    Mode connectivity on the built-in digits: how high the barrier on the straight line between two
    independently trained networks is, for loss and for error, before and after their hidden units
    are matched (weight matching, Ainsworth et al. 2023), for DigitsCnn over three seed pairs
    (BatchNorm statistics recomputed at every t), and for an Mlp of growing width (Entezari et al.
    2022 expect the aligned barrier to shrink as the width grows). Prints the tables; for the first
    DigitsCnn pair it also trains a quadratic Bézier curve between the two minima (Garipov et al. 2018)
    and draws loss and error along the line, the aligned line and the curve in one figure, and the
    loss over the plane of the two minima and the bend with the curve on it. A rerun reuses every checkpoint and
    path file and only redraws.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/mode-connectivity.ps1
.EXAMPLE
    ./examples/mode-connectivity.ps1 -Tiny
    Seconds instead of minutes (a subset, 2 epochs, 5 points of t, two widths): the shell tests run this.
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'mode-connectivity'),
    [int] $Epochs = 10,
    [int] $Steps = 11,
    [int[]] $Widths = @(32, 64, 128, 256, 512),
    [int] $CurveEpochs = 10,
    [int] $PlaneSteps = 31,
    [switch] $Tiny
)

$ErrorActionPreference = 'Stop'
$subset = @{}
$pairs = @(@(1, 2), @(3, 4), @(5, 6))
if ($Tiny) {
    $Epochs, $Steps, $Widths, $pairs, $CurveEpochs, $PlaneSteps = 2, 5, @(16, 64), @(, @(1, 2)), 1, 5
    $subset = @{ MaxSamples = 200 }
    $OutputDirectory = [System.IO.Path]::Combine($OutputDirectory, 'tiny')
}
function Out([string] $name) { [System.IO.Path]::Combine($OutputDirectory, $name) }
function Train([string] $model, [long] $seed, [int[]] $width) {
    $name = if ($width) { "$model-$($width -join 'x')-seed$seed" } else { "$model-seed$seed" }
    $extra = if ($width) { @{ HiddenWidth = $width } } else { @{} }
    Invoke-LandscapeTraining -Model $model -Epochs $Epochs -Seed $seed @subset @extra -OutputDirectory (Out $name) | Select-Object -Last 1
}
# The barriers of A → B and of A → B with B's units matched to A's.
function Measure-Pair($a, $b, [string] $name) {
    $aligned = ($b | Get-PermutationAlignment -Reference $a -OutFile (Out "$name-aligned.dat")).Checkpoint
    $before = $a | Measure-ModeConnectivity -Target $b -Steps $Steps @subset -OutFile (Out "$name-line.h5")
    $after = $a | Measure-ModeConnectivity -Target $aligned -Steps $Steps @subset -OutFile (Out "$name-aligned-line.h5")
    $rows = foreach ($split in 'Train', 'Test') {
        $row = { param($m, $quantity) $m.Barriers | Where-Object { $_.Split -eq $split -and $_.Quantity -eq $quantity } }
        [pscustomobject]@{
            Pair = $name; Split = $split
            LossBefore = (& $row $before 'Loss').Barrier; LossAfter = (& $row $after 'Loss').Barrier
            ErrorBefore = (& $row $before 'Error').Barrier; ErrorAfter = (& $row $after 'Error').Barrier
            MidpointLossBefore = (& $row $before 'Loss').BarrierMidpoint; MidpointLossAfter = (& $row $after 'Loss').BarrierMidpoint
        }
    }
    @{ Rows = $rows; Lines = @($before, $after) }
}

$null = [System.IO.Directory]::CreateDirectory($OutputDirectory)
$firstPair = $null
'DigitsCnn: barriers on the straight line (loss in nats, error in percentage points), BatchNorm statistics recomputed at every t'
$cnnRows = [System.Collections.Generic.List[object]]::new()
$firstLines = $null
foreach ($pair in $pairs) {
    $result = Measure-Pair (Train DigitsCnn $pair[0] $null) (Train DigitsCnn $pair[1] $null) "cnn-seed$($pair[0])-seed$($pair[1])"
    $result.Rows | ForEach-Object { $cnnRows.Add($_) }
    if (-not $firstLines) { $firstLines = $result.Lines; $firstPair = $result.Lines[0] }
}
$cnnRows | Format-Table -AutoSize | Out-String -Width 200

'Mlp (two hidden layers of the width): train loss barrier before and after alignment'
$mlpRows = foreach ($width in $Widths) {
    (Measure-Pair (Train Mlp 1 @($width, $width)) (Train Mlp 2 @($width, $width)) "mlp-$width").Rows | Where-Object Split -eq 'Train' | Select-Object @{ n = 'Width'; e = { $width } }, LossBefore, LossAfter, ErrorBefore, ErrorAfter
}
$mlpRows | Format-Table -AutoSize | Out-String -Width 200

# A quadratic Bézier curve between the first pair (Garipov et al. 2018), its loss along t beside the lines', and its plane.
$a, $b = $firstPair.Checkpoint, $firstPair.Target
$bend = $a | Invoke-CurveTraining -Target $b -Epochs $CurveEpochs @subset -OutputDirectory (Out 'cnn-curve') | Select-Object -Last 1
$curve = $a | Measure-ModeConnectivity -Target $b -Bend $bend -Steps $Steps @subset
'Highest train loss along t: line {0:F3}, aligned line {1:F3}, Bézier curve {2:F3}; curve barrier {3:F3} (loss), {4:F2} pp (error)' -f `
    ($firstLines[0].TrainLoss | Measure-Object -Maximum).Maximum, ($firstLines[1].TrainLoss | Measure-Object -Maximum).Maximum, ($curve.TrainLoss | Measure-Object -Maximum).Maximum, $curve.Barrier, $curve.ErrorBarrier
$plot = @($firstLines) + $curve | Export-LandscapePlot -Path (Out 'cnn-paths.png') -Label 'line', 'aligned line', 'Bézier curve' -Force -PassThru `
    -Title ("DigitsCnn, seeds {0} and {1}: the line, the aligned line and a trained curve" -f $pairs[0][0], $pairs[0][1])
"Plot: $($plot.FullName)"
$plane = $a | New-LandscapeDirection -Target $b -Bend $bend
$surface = $a | Get-LossSurface -Direction $plane -Steps $PlaneSteps @subset -BatchNormStatistics Reset -OutFile (Out "cnn-curve-plane-$PlaneSteps.h5")
$plot = $surface | Export-LandscapePlot -Path (Out 'cnn-curve-plane.png') -Style Filled -LogScale -Force -PassThru
"Plot: $($plot.FullName)"
