<#
.SYNOPSIS
    Shared by the plot examples: trains a small CNN on 300 digits for two epochs (or reuses it) and
    returns its 2D loss surface (21×21 over [-1, 1]², train and test) and its checkpoints.
#>
param([string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'plot-examples'))

$ErrorActionPreference = 'Stop'
$checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 4 -MaxSamples 300 -Seed 3 -OutputDirectory $OutputDirectory
$surface = $checkpoints[-1] | Get-LossSurface -Steps 21 -Split Both -OutFile ([System.IO.Path]::Combine($OutputDirectory, 'surface-21.h5'))
[pscustomobject]@{ Checkpoints = $checkpoints; Surface = $surface; Folder = $OutputDirectory }
