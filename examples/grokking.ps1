<#
.SYNOPSIS
    Grokking (Power et al. 2022) on a ÷ b mod 97 with a one-layer Gpt, and the landscape around the
    jump: the network fits the training equations within a few hundred steps, then, long after, its
    test accuracy jumps. Keeps a checkpoint every 100 steps across the jump and draws the training path
    on its PCA plane over the train and the test loss, 1D train and test slices before, during and after
    the jump on one axis, and λmax and the adaptive sharpness against the step. A rerun reuses the run
    and every surface file and only redraws.
.DESCRIPTION
    Power et al.'s setting: AdamW with learning rate 1e-3, β₂ 0.98, weight decay 1, a 10-step linear
    warm-up, batches of 512, width 128 with 4 heads, a train fraction of 0.3, the loss on the answer
    token only. Changed to fit two CPU cores: one layer instead of two, a cap of 5,000 steps, and a stop
    as soon as the test accuracy is ≥ 99 % at two checkpoints in a row. On these two cores the run trains
    for under three minutes and jumps near step 2,700; the whole script takes about six minutes.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/grokking.ps1
.EXAMPLE
    ./examples/grokking.ps1 -Tiny
    Seconds instead of minutes (p = 11, width 32, 40 steps, small grids): the shell tests run this. It
    does not grok; it runs every step of the script.
#>
param(
    [string] $OutputDirectory = [System.IO.Path]::Combine('runs', 'grokking'),
    [int] $StepCap = 5000,
    [int] $PlaneSteps = 21,
    [switch] $Tiny
)

$ErrorActionPreference = 'Stop'
$modulus, $width, $every, $samples, $lineSteps, $iterations = 97, 128, 100, 512, 31, 10
if ($Tiny) {
    $modulus, $width, $every, $samples, $lineSteps, $iterations, $StepCap, $PlaneSteps = 11, 32, 10, 32, 5, 2, 40, 5
    $OutputDirectory = [System.IO.Path]::Combine($OutputDirectory, 'tiny')
}
function Out([string] $name) { [System.IO.Path]::Combine($OutputDirectory, $name) }
$clock = [System.Diagnostics.Stopwatch]::StartNew()

$data = Get-LandscapeDataset ModularArithmetic -Modulus $modulus -Operation Divide -TrainFraction 0.3 -SplitSeed 0
$training = @{
    Model = 'Gpt'; Dataset = $data; LayerCount = 1; HeadCount = 4; EmbeddingWidth = $width
    Optimizer = 'AdamW'; LearningRate = 1e-3; Beta2 = 0.98; WeightDecay = 1; WarmupSteps = 10; BatchSize = 512
    Steps = $StepCap; CheckpointEvery = $every; StopAtTestAccuracy = 99; Seed = 0
}
$checkpoints = @(Invoke-LandscapeTraining @training -OutputDirectory (Out 'run'))
$trainingSeconds = $clock.Elapsed.TotalSeconds
$checkpoints | Format-Table Name, Step, TrainAccuracy, TestAccuracy, TrainLoss, TestLoss | Out-String | Write-Host

# The memorization point is the first checkpoint that fits the training set; the jump the first whose test
# accuracy reaches 99 % (the run stops one checkpoint later); "during" is halfway between them in test accuracy.
$memorized = $checkpoints | Where-Object { $_.TrainAccuracy -ge 99 } | Select-Object -First 1
$jump = $checkpoints | Where-Object { $_.TestAccuracy -ge 99 } | Select-Object -First 1
if ($null -eq $memorized) { $memorized = $checkpoints[[int](($checkpoints.Count - 1) / 3)] }
$final = $checkpoints[-1]
$middle = if ($jump) { ($memorized.TestAccuracy + $jump.TestAccuracy) / 2 } else { ($memorized.TestAccuracy + $final.TestAccuracy) / 2 }
$during = $checkpoints | Where-Object { $_.Step -gt $memorized.Step -and $_.Step -lt $final.Step } |
    Sort-Object { [math]::Abs($_.TestAccuracy - $middle) } | Select-Object -First 1
if ($null -eq $during) { $during = $checkpoints[[int](2 * ($checkpoints.Count - 1) / 3)] }
if ($jump) {
    Write-Host ("Memorized at step {0} (train {1:F1} %, test {2:F1} %); the test accuracy jumped to {3:F1} % at step {4} (train {5:F1} %)." -f
        $memorized.Step, $memorized.TrainAccuracy, $memorized.TestAccuracy, $jump.TestAccuracy, $jump.Step, $jump.TrainAccuracy)
} else {
    Write-Host ("No jump within {0} steps: test accuracy {1:F1} % at the end." -f $final.Step, $final.TestAccuracy)
}

# 1. The path on its PCA plane, over the train loss and over the test loss (one surface holds both splits).
$pca = $checkpoints | Get-TrajectoryPCA
$plane = $pca | Get-LossSurface -Steps $PlaneSteps -Split Both -OutFile (Out 'pca-surface.h5')
$marks = @($memorized.Step, $during.Step) + @(if ($jump) { $jump.Step })
foreach ($split in 'Train', 'Test') {
    $file = $plane | Export-LandscapePlot -Path (Out "pca-path-$($split.ToLowerInvariant()).png") -Split $split -Style Filled -Trajectory $pca -HighlightEpoch $marks -LogScale -Min 0.001 -Max 10 `
        -Title "a ÷ b mod $modulus, $split loss on the PCA plane (memorized, during, jump in red)" -Force -PassThru
    Write-Output "Plot: $($file.FullName)"
}

# 2. Train and test loss along one random direction through the model before, during and after the jump.
$labels = @("memorized (step $($memorized.Step))", "during (step $($during.Step))", "after (step $($final.Step))")
$lines = foreach ($checkpoint in $memorized, $during, $final) {
    $checkpoint | Get-LossSurface -Dimensions 1 -Steps $lineSteps -Split Both -OutFile (Out "line-step$($checkpoint.Step).h5")
}
$file = $lines | Export-LandscapePlot -Layout Overlay -Label $labels -Path (Out 'lines.png') -Title "a ÷ b mod ${modulus}: 1D slices before, during and after the jump" -Force -PassThru
Write-Output "Plot: $($file.FullName)"

# 3. λmax and the adaptive worst-case sharpness (ℓ∞, ρ = 0.002, Andriushchenko et al.) against the step, at
# up to eight checkpoints spread over the run, on a fixed subset of the training equations.
$stride = [math]::Max(1, [math]::Ceiling($checkpoints.Count / 8))
$measured = @(for ($i = 0; $i -lt $checkpoints.Count; $i += $stride) { $checkpoints[$i] }) + @($memorized, $during, $final) |
    Sort-Object Step -Unique
$sharpness = $measured | Get-LandscapeSharpness -Norm Linf -Rho 0.002 -MaxEigenvalue -MaxSamples $samples -Samples 3 -Iterations $iterations
$file = $sharpness | Export-LandscapePlot -Path (Out 'sharpness.png') -HighlightEpoch $marks -LogScale -Force -PassThru `
    -Title "a ÷ b mod ${modulus}: curvature against the step (dashed: memorized, during, jump)"
Write-Output "Plot: $($file.FullName)"
$sharpness | Format-Table @{ n = 'Step'; e = { $_.Checkpoint.Step } }, @{ n = 'TestAccuracy'; e = { $_.Checkpoint.TestAccuracy } }, MaxEigenvalue, WorstCase, AverageCase |
    Out-String | Write-Host

[pscustomobject]@{
    Modulus = $modulus
    MemorizedStep = $memorized.Step
    JumpStep = if ($jump) { $jump.Step } else { $null }
    BeforeJump = "train $([math]::Round($memorized.TrainAccuracy, 1)) %, test $([math]::Round($memorized.TestAccuracy, 1)) %"
    AfterJump = "train $([math]::Round($final.TrainAccuracy, 1)) %, test $([math]::Round($final.TestAccuracy, 1)) %"
    TrainingSeconds = [math]::Round($trainingSeconds)
    TotalSeconds = [math]::Round($clock.Elapsed.TotalSeconds)
}
