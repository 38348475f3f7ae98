<#
.SYNOPSIS
    Paper §7 at small scale: are training paths low-dimensional? For every training run under
    <OutputDirectory>/runs (those of 1-sharpness.ps1 and 2-skip-connections.ps1: run them first),
    takes the PCA of its checkpoints, reports how much of the path's variance the first two
    components explain, and draws the path over the loss contours of that plane with the epoch of
    the learning-rate drop marked. Emits one object with the numbers and a markdown section.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/3-trajectories.ps1
#>
param(
    # A version of a few seconds for the tests: coarse planes on few images.
    [switch] $Tiny,
    [string] $OutputDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out'),
    [string] $FigureDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'figures')
)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))

$runsFolder = [System.IO.Path]::Combine($OutputDirectory, 'runs')
if (-not [System.IO.Directory]::Exists($runsFolder)) {
    throw "No training runs in ${runsFolder}: run 1-sharpness.ps1 and 2-skip-connections.ps1 with the same -OutputDirectory first."
}
$figures = New-Folder $FigureDirectory
$low = 0.4
$high = 0.9

$folders = [System.IO.Directory]::GetDirectories($runsFolder)
[System.Array]::Sort($folders, [System.StringComparer]::Ordinal)
$paths = foreach ($folder in $folders) {
    $name = [System.IO.Path]::GetFileName($folder)
    $checkpoints = @(Import-Checkpoint -Path ([System.IO.Path]::Combine($folder, 'epoch-*.dat')))
    $isResNet = $checkpoints[0].Architecture -like 'ResNet*'
    $steps = if ($Tiny) { 5 } elseif ($isResNet) { 11 } else { 21 }
    $samples = if ($Tiny) { @{ MaxSamples = 32 } } elseif ($isResNet) { @{ MaxSamples = 250 } } else { @{} }

    # The learning rate drops after the last epoch whose rate is higher than the next one's.
    $drop = $null
    for ($i = 0; $i -lt $checkpoints.Count - 1; $i++) {
        if ($checkpoints[$i].Epoch -gt 0 -and $checkpoints[$i + 1].LearningRate -lt $checkpoints[$i].LearningRate) { $drop = $checkpoints[$i].Epoch }
    }

    $pca = $checkpoints | Get-TrajectoryPCA -OutFile ([System.IO.Path]::Combine($folder, 'pca-directions.h5')) -Force
    $ratio = $pca.ExplainedVarianceRatio
    $twoComponents = $ratio[0] + $(if ($ratio.Length -gt 1) { $ratio[1] } else { 0.0 })
    $surface = $pca | Get-LossSurface -Steps $steps @samples -OutFile ([System.IO.Path]::Combine($folder, "surface-pca-$steps.h5"))
    $file = [System.IO.Path]::Combine($figures, "3-path-$name.png")
    $highlight = if ($null -ne $drop) { @{ HighlightEpoch = $drop } } else { @{} }
    $null = $surface | Export-LandscapePlot -Path $file -Trajectory $pca @highlight -Width 640 -Height 560 -Force `
        -Title ('{0}: PCA plane, {1}% + {2}%' -f $name, (Format-Number (100 * $ratio[0]) 'F0'), (Format-Number (100 * $(if ($ratio.Length -gt 1) { $ratio[1] } else { 0 })) 'F0'))
    @{
        Name = $name; Architecture = $checkpoints[0].Architecture; Checkpoints = $checkpoints.Count; Drop = $drop
        Ratio = $ratio; TwoComponents = $twoComponents; InRange = $twoComponents -ge $low -and $twoComponents -le $high; Figure = $file
    }
}

$inRange = @($paths | Where-Object { $_.InRange }).Count
$holds = $inRange -eq @($paths).Count
$rows = foreach ($path in $paths) {
    '| {0} | {1} | {2} | {3} | {4} | {5} | {6} |' -f $path.Name, $path.Architecture, $path.Checkpoints, $(if ($null -ne $path.Drop) { $path.Drop } else { '—' }),
        (Format-Number (100 * $path.Ratio[0]) 'F1'), (Format-Number (100 * $(if ($path.Ratio.Length -gt 1) { $path.Ratio[1] } else { 0 })) 'F1'), (Format-Number (100 * $path.TwoComponents) 'F1')
}
$figureRows = for ($i = 0; $i -lt @($paths).Count; $i += 2) {
    $pair = @($paths)[$i..([math]::Min($i + 1, @($paths).Count - 1))]
    '| ' + (($pair | ForEach-Object { Get-FigureLink $_.Figure $_.Name }) -join ' | ') + ' |'
}
$outside = @($paths | Where-Object { -not $_.InRange } | ForEach-Object { '{0} ({1}%)' -f $_.Name, (Format-Number (100 * $_.TwoComponents) 'F1') })

$markdown = @"
## Claim 3 — Training paths are low-dimensional (paper §7)

**Claim.** The path of the iterates of a training run lies almost in a plane: the first two PCA
components of the checkpoints explain 40–90% of their variation.

**Setting.** Every run of claims 1 and 2, one checkpoint per epoch (epoch 0 = initialisation). As in the
paper's code: the rows are θ_i − θ_final over the weights (biases and BatchNorm γ/β left out), mean-centred;
the path is projected onto the two components and the loss is computed on that plane (train loss;
$(if ($Tiny) { '5×5 grids' } else { '21×21 grid for the digits runs, 11×11 on 250 training images for the ResNets' })). Axes: the
coordinates along the first (α) and second (β) component; black square: epoch 0, diamond: the final
epoch, red point: the last epoch before the learning rate drops ×0.1. Each title gives r₁ and r₂.

**Metric.** Explained-variance ratio of the first two principal components, r₁ + r₂ (scikit-learn's
definition: each component's variance over the total variance of the centred rows).

| Run | Net | Checkpoints | LR drop after epoch | r₁ (%) | r₂ (%) | r₁ + r₂ (%) |
|---|---|---|---|---|---|---|
$($rows -join "`n")

| | |
|---|---|
$($figureRows -join "`n")

**Verdict.** $(if ($holds) { "Agrees: every run's first two components explain between 40% and 90% of the path's variation." } elseif ($inRange -eq 0) { "Does not agree: no run falls within 40–90%: $($outside -join ', '). Above 90% the path is even closer to a plane than the paper's ResNets; below 40% it is not low-dimensional by the paper's standard." } else { "Partly: $inRange of $(@($paths).Count) runs fall within 40–90%; outside: $($outside -join ', '). Above 90% the path is even closer to a plane than the paper's ResNets; below 40% it is not low-dimensional by the paper's standard." })
"@

[pscustomobject]@{
    Claim = 3
    Holds = $holds
    Paths = $paths
    Figures = @($paths | ForEach-Object { $_.Figure })
    Markdown = $markdown
}
