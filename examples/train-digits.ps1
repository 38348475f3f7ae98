<#
.SYNOPSIS
    Trains the small CNN on the built-in digits data, writing a checkpoint per epoch, then imports
    the checkpoints and prints them. Rerunning it resumes (or reuses) what is already on disk.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/train-digits.ps1
.EXAMPLE
    ./examples/train-digits.ps1 -Epochs 20 -OutputDirectory ./runs/digits-long
#>
param(
    [int] $Epochs = 10,
    [long] $Seed = 1,
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'digits-cnn')
)

$ErrorActionPreference = 'Stop'

$data = Get-LandscapeDataset -Name Digits
$checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Dataset $data -Epochs $Epochs -Seed $Seed -OutputDirectory $OutputDirectory

# Import them back from disk, as a later session would.
$imported = Import-Checkpoint -Path ([System.IO.Path]::Combine($OutputDirectory, 'epoch-*.dat'))
$imported

$final = $imported[-1]
"Final checkpoint: {0} (epoch {1}); test accuracy {2:F2}% on {3} held-out digits." -f $final.Path, $final.Epoch, $final.TestAccuracy, (Get-LandscapeDataset -Name Digits -Split Test).Count
if ($checkpoints.Count -ne $Epochs + 1) {
    throw "Expected $($Epochs + 1) checkpoints, got $($checkpoints.Count)."
}
