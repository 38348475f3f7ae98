<#
.SYNOPSIS
    Böttcher and Wheeler's comparison (arXiv 2208.13219) on a trained digits CNN: the filter-normalized
    random plane, the plane of the Hessian's λmax and λmin eigenvectors (rescaled to the random plane's
    norms, so α is the same distance on both), and the |λmin/λmax| map over the random plane, in one
    figure: the loss panels share one colour scale, the ratio map has its own. Drawn twice: at the
    paper's |α|, |β| ≤ 1, where the Hessian plane is saturated beyond a sliver, and at ≤ 0.2 with
    log colours, where its shape shows.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/hessian-planes.ps1
.EXAMPLE
    ./examples/hessian-planes.ps1 -Tiny
    Seconds instead of minutes (3 epochs, 7×7 planes, a 3×3 ratio map, 100 samples): the shell tests run this.
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'digits-hessian-planes'),
    [int] $Epochs = 10,
    [int] $Steps = 21,
    [int] $RatioSteps = 7,
    [int] $MaxSamples = 300,
    [long] $Seed = 123,
    [switch] $Tiny
)

$ErrorActionPreference = 'Stop'
if ($Tiny) {
    $Epochs, $Steps, $RatioSteps, $MaxSamples = 3, 7, 3, 100
    $OutputDirectory = [System.IO.Path]::Combine($OutputDirectory, 'tiny')
}
$final = (Invoke-LandscapeTraining -Model DigitsCnn -Epochs $Epochs -Seed 1 -OutputDirectory $OutputDirectory)[-1]
function Out([string] $name) { [System.IO.Path]::Combine($OutputDirectory, $name) }

$spectrum = $final | Get-HessianSpectrum -Pair TopBottom -DirectionSeed $Seed -MaxSamples $MaxSamples -Tolerance 1e-4 -OutFile (Out 'hessian-topbottom.h5') -Force
"λmax {0:G4}, λmin {1:G4}; the plane: {2}" -f $spectrum.TopEigenvalues[0], $spectrum.MinEigenvalue, (($spectrum.Direction | ForEach-Object { $_.ToString() }) -join '; ')
$ratio = $final | Get-LossSurface -Seed $Seed -Steps $RatioSteps -Range -1, 1 -MaxSamples $MaxSamples -Metric Curvature -OutFile (Out "ratio-$RatioSteps.h5")

foreach ($zoom in @(@{ Range = 1.0; Log = $false }, @{ Range = 0.2; Log = $true })) {
    $r = $zoom.Range
    $random = $final | Get-LossSurface -Seed $Seed -Steps $Steps -Range (-$r), $r -MaxSamples $MaxSamples -OutFile (Out "random-$r.h5")
    $hessian = $spectrum | Get-LossSurface -Steps $Steps -Range (-$r), $r -MaxSamples $MaxSamples -OutFile (Out "hessian-$r.h5")
    $plot = @{ Layout = 'Grid'; Path = (Out "hessian-planes-$r.png"); Force = $true; PassThru = $true; Title = "DigitsCnn: random vs Hessian (λmax, λmin) plane, |α|, |β| ≤ $r" }
    # The loss at θ* is about 1e-3: log colours from there show the valley the linear scale paints as one colour.
    if ($zoom.Log) { $plot += @{ LogScale = $true; Min = 1e-3; Max = 10 } }
    $file = $random, $hessian, $ratio | Export-LandscapePlot @plot
    "Plot: $($file.FullName)"
}
