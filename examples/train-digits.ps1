<#
.SYNOPSIS
    The main job: trains the small CNN on the built-in digits data (a checkpoint per epoch), then
    computes the loss landscape around the final checkpoint — a 1D curve and a 2D surface along
    filter-normalized random directions, as in Li et al. (2018) — and the surface on the PCA plane
    of the training trajectory with the path drawn over it (paper §7), and writes their plots.
    Rerunning it reuses the checkpoints, the surface files and the PCA directions already on disk: a
    second run trains no epoch and computes no point (see -Verbose); only the plots are drawn again.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/train-digits.ps1
.EXAMPLE
    ./examples/train-digits.ps1 -Epochs 20 -Steps 31 -OutputDirectory ./runs/digits-long
#>
[CmdletBinding()]
param(
    [int] $Epochs = 10,
    [long] $Seed = 1,
    [int] $Steps = 51,
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'digits-cnn')
)

$ErrorActionPreference = 'Stop'

$data = Get-LandscapeDataset -Name Digits
$checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Dataset $data -Epochs $Epochs -Seed $Seed -OutputDirectory $OutputDirectory
if ($checkpoints.Count -ne $Epochs + 1) {
    throw "Expected $($Epochs + 1) checkpoints, got $($checkpoints.Count)."
}

# Import them back from disk, as a later session would.
$imported = Import-Checkpoint -Path ([System.IO.Path]::Combine($OutputDirectory, 'epoch-*.dat'))
$imported

$final = $imported[-1]
"Final checkpoint: {0} (epoch {1}); test accuracy {2:F2}% on {3} held-out digits." -f $final.Path, $final.Epoch, $final.TestAccuracy, (Get-LandscapeDataset -Name Digits -Split Test).Count

# The landscape around θ*: f(α) along one direction, f(α, β) over a grid, on train and test data.
$plots = [System.IO.Path]::Combine($OutputDirectory, 'plots')
[System.IO.Directory]::CreateDirectory($plots) | ForEach-Object { }
$curve = $final | Get-LossSurface -Dimensions 1 -Steps $Steps -Split Both -OutFile ([System.IO.Path]::Combine($OutputDirectory, "surface-1d-$Steps.h5"))
$surface = $final | Get-LossSurface -Steps $Steps -Split Both -OutFile ([System.IO.Path]::Combine($OutputDirectory, "surface-2d-$Steps.h5"))
$curve, $surface | Out-Default

# The training path on the plane of its two principal components.
$pca = $imported | Get-TrajectoryPCA -OutFile ([System.IO.Path]::Combine($OutputDirectory, 'pca-directions.h5'))
"Explained variance ratio of the PCA directions: {0}" -f (($pca.ExplainedVarianceRatio | ForEach-Object { $_.ToString('P1') }) -join ', ')
$pcaSteps = [Math]::Min($Steps, 31)
$pcaSurface = $pca | Get-LossSurface -Steps $pcaSteps -OutFile ([System.IO.Path]::Combine($OutputDirectory, "surface-pca-$pcaSteps.h5"))

$files = @(
    $curve | Export-LandscapePlot -Path $plots -Force -PassThru
    $surface | Export-LandscapePlot -Path $plots -Force -PassThru
    $surface | Export-LandscapePlot -Path $plots -Style Filled -Force -PassThru
    $pcaSurface | Export-LandscapePlot -Path ([System.IO.Path]::Combine($plots, 'DigitsCnn-trajectory-pca.png')) -Trajectory $pca -Title 'DigitsCnn: training path on its PCA plane (train loss)' -Force -PassThru
)
foreach ($file in $files) {
    "Plot: $($file.FullName)"
}
