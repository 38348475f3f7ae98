<#
.SYNOPSIS
    The paper's convexity check (§6): the Hessian's λmax, λmin and |λmin/λmax| over a coarse grid
    around a trained digits CNN, drawn as a heatmap, plus the spectrum at the checkpoint (top
    eigenvalues, Hutchinson trace). Small values of the ratio mean the region is convex to the
    eye and in fact: negative curvature is insignificant there.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/curvature-map.ps1
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'digits-curvature'),
    [int] $Steps = 5,
    [int] $MaxSamples = 200
)

$ErrorActionPreference = 'Stop'
$final = (Invoke-LandscapeTraining -Model DigitsCnn -Epochs 6 -Seed 1 -OutputDirectory $OutputDirectory)[-1]

$map = $final | Get-LossSurface -Metric Curvature -Steps $Steps -MaxSamples $MaxSamples -OutFile ([System.IO.Path]::Combine($OutputDirectory, "curvature-$Steps.h5"))
$centre = [int][math]::Floor($Steps / 2)
"At the checkpoint: λmax {0:G4}, λmin {1:G4}, |λmin/λmax| {2:G3}; largest ratio on the grid {3:G3}" -f $map.MaxEigenvalue[$centre, $centre], $map.MinEigenvalue[$centre, $centre], $map.EigenvalueRatio[$centre, $centre], [System.Linq.Enumerable]::Max([double[]]@($map.EigenvalueRatio | ForEach-Object { $_ }))

$spectrum = $final | Get-HessianSpectrum -Top 3 -Trace -Probes 20 -MaxSamples $MaxSamples -Tolerance 1e-3
"Top eigenvalues {0}; trace {1:G4} ± {2:G2}" -f (($spectrum.TopEigenvalues | ForEach-Object { $_.ToString('G4') }) -join ', '), $spectrum.Trace, $spectrum.TraceStandardError

$file = $map | Export-LandscapePlot -Style Heatmap -Path ([System.IO.Path]::Combine($OutputDirectory, 'curvature-ratio.png')) -Force -PassThru
"Plot: $($file.FullName)"
