<#
.SYNOPSIS
    A scheduled lab sweep: the 1D curve and the 2D surface around every checkpoint for every
    direction seed, a plot of each, and a summary table (summary.csv) of them all.
.DESCRIPTION
    Resumable, for a nightly task or a job that may be killed: a surface file that is complete is
    read back, not computed again; a partly computed one is resumed point by point (Get-LossSurface
    -OutFile keeps every finished point); a plot that exists is kept. All files are written whole
    (a temporary file, then a rename), so a killed run leaves no torn file behind. Rerun the same
    command after a kill and it finishes the rest; rerun it after it finished and it recomputes nothing.

    Without -Checkpoint it trains a small DigitsCnn run first (resumable too) into
    <OutputDirectory>/checkpoints and sweeps over all its epochs. Layout:
    <OutputDirectory>/surfaces/<checkpoint>-seed<seed>-<1d|2d>-<steps>steps.h5, plots/<same>.png,
    summary.csv.
    Runs in pwsh after Import-Module, or in the LossLandscape shell.
.EXAMPLE
    ./examples/lab-sweep.ps1 -OutputDirectory ./runs/sweep
.EXAMPLE
    ./examples/lab-sweep.ps1 -OutputDirectory ./runs/sweep -Checkpoint ./runs/digits-cnn/epoch-*.dat -DirectionSeed 1, 2, 3 -Steps 21
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'lab-sweep'),
    # Checkpoint files (wildcards allowed). Without them a small DigitsCnn run is trained.
    [string[]] $Checkpoint,
    # Epochs and samples of that training run.
    [int] $Epochs = 2,
    [int] $MaxSamples = 300,
    # One pair of random filter-normalized directions per seed, shared by every checkpoint.
    [long[]] $DirectionSeed = @(1, 2),
    [int] $Steps = 5
)

$ErrorActionPreference = 'Stop'
$OutputDirectory = [System.IO.Directory]::CreateDirectory($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputDirectory)).FullName
$surfaceFolder = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($OutputDirectory, 'surfaces')).FullName
$plotFolder = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($OutputDirectory, 'plots')).FullName

$checkpoints = if ($Checkpoint) {
    Import-Checkpoint -Path $Checkpoint
}
else {
    Invoke-LandscapeTraining -Model DigitsCnn -Epochs $Epochs -MaxSamples $MaxSamples -Seed 1 -OutputDirectory ([System.IO.Path]::Combine($OutputDirectory, 'checkpoints'))
}

$invariant = [System.Globalization.CultureInfo]::InvariantCulture
$rows = foreach ($model in $checkpoints) {
    foreach ($seed in $DirectionSeed) {
        foreach ($dimensions in 1, 2) {
            # Everything that shapes the surface is in its name: a sweep with other -Steps never reuses these files.
            $name = '{0}-seed{1}-{2}d-{3}steps' -f $model.Name, $seed, $dimensions, $Steps
            $file = [System.IO.Path]::Combine($surfaceFolder, "$name.h5")
            $plot = [System.IO.Path]::Combine($plotFolder, "$name.png")

            $surface = if ([System.IO.File]::Exists($file)) { Import-LossSurface $file }
            if ($surface -and $surface.ComputedCount -eq $surface.PointCount) {
                Write-Host "reused $name"
            }
            else {
                # Same command, same file: a partly computed surface resumes where it stopped.
                $surface = $model | Get-LossSurface -Dimensions $dimensions -Steps $Steps -Seed $seed -OutFile $file
                Write-Host "computed $name"
            }
            if (-not [System.IO.File]::Exists($plot)) {
                $surface | Export-LandscapePlot -Path $plot | Out-Null
            }

            # The grid's middle point is θ* itself (α = β = 0) when -Steps is odd: the same loss for every seed of a checkpoint.
            $losses = [double[]]@($surface.TrainLoss)
            $centre = [int][System.Math]::Floor($Steps / 2)
            $centreLoss = if ($dimensions -eq 1) { $surface.TrainLoss[$centre] } else { $surface.TrainLoss[$centre, $centre] }
            [pscustomobject]@{
                Checkpoint  = $model.Name
                Epoch       = $model.Epoch
                Seed        = $seed
                Dimensions  = $dimensions
                Points      = $surface.PointCount
                CentreLoss  = $centreLoss.ToString('R', $invariant)
                MinimumLoss = [System.Linq.Enumerable]::Min($losses).ToString('R', $invariant)
                MaximumLoss = [System.Linq.Enumerable]::Max($losses).ToString('R', $invariant)
                Surface     = [System.IO.Path]::GetRelativePath($OutputDirectory, $file)
                Plot        = [System.IO.Path]::GetRelativePath($OutputDirectory, $plot)
            }
        }
    }
}

# Written whole (a temporary file, then a rename), so a reader or a kill never sees half a table.
$summary = [System.IO.Path]::Combine($OutputDirectory, 'summary.csv')
$partial = "$summary.partial"
$rows | Export-Csv -LiteralPath $partial -NoTypeInformation -UseQuotes Always
[System.IO.File]::Move($partial, $summary, $true)
Write-Host "$(@($rows).Count) surfaces summarized in $summary"
