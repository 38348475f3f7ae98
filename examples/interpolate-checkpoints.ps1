<#
.SYNOPSIS
    1D linear interpolation between two checkpoints (paper Fig. 2 style): f(t) = L(θ₁ + t(θ₂ − θ₁))
    over t ∈ [-0.5, 1.5], with θ₁ at 0 and θ₂ at 1. BatchNorm running statistics move along with
    the weights (-BatchNormStatistics Interpolate), as in the paper code's "states" mode. Far
    outside [0, 1] an extrapolated running variance can turn negative: the network's output, and
    so the loss, is then undefined (NaN) and the plot leaves a gap there. A rerun reuses the
    checkpoints and the curve's file and only redraws the plot.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/interpolate-checkpoints.ps1
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'digits-interpolation'),
    [int] $Steps = 41
)

$ErrorActionPreference = 'Stop'

$checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 3 -MaxSamples 500 -Seed 4 -OutputDirectory $OutputDirectory
$from = $checkpoints[1]
$to = $checkpoints[-1]

$direction = $from | New-LandscapeDirection -Target $to -BatchNormStatistics Interpolate
$curve = $from | Get-LossSurface -Direction $direction -XRange -0.5, 1.5 -XSteps $Steps -Split Both -OutFile ([System.IO.Path]::Combine($OutputDirectory, "interpolation-$Steps.h5"))
$curve | Out-Default

$plot = $curve | Export-LandscapePlot -Path ([System.IO.Path]::Combine($OutputDirectory, 'interpolation.png')) -Force -PassThru
"Plot: $($plot.FullName)"
$atEnd = $curve.TrainLoss[[array]::IndexOf($curve.X, 1.0)]
"Loss at t = 1: {0:G6}; the target checkpoint's own: {1:G6}" -f $atEnd, $to.TrainLoss
