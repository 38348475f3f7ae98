<#
.SYNOPSIS
    Andriushchenko et al. (ICML 2023) on claim 1's question: are large-batch minima sharper by adaptive
    worst-case sharpness (ℓ∞), for every training seed, and does that sharpness rank the checkpoints
    by their test-error gap? Trains claim 1's four runs with seeds 2 and 3 (seed 1 reuses claim 1's
    checkpoints), measures the final checkpoints with Get-LandscapeSharpness and computes Spearman's
    rank correlation with the gap. Emits one object with the numbers and a markdown section.
.EXAMPLE
    dotnet run --project src/LossLandscape.Shell -c Release -- -File examples/paper/5-adaptive-sharpness.ps1
.EXAMPLE
    ./examples/paper/5-adaptive-sharpness.ps1 -Tiny -OutputDirectory /tmp/paper
#>
param(
    # A few seconds' version for the tests: claim 1's tiny runs, a short ascent.
    [switch] $Tiny,
    [string] $OutputDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out')
)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$seeds = 1, 2, 3
$setting = Get-BatchSizeSetting $Tiny
$subset = $setting.Subset
# The top of the ℓ∞ range Andriushchenko et al. use (0.0005–0.002), fixed before measuring.
$rho = 0.002
$m = 128
$iterations = if ($Tiny) { 3 } else { 20 }

$runs = foreach ($seed in $seeds) {
    foreach ($weightDecay in $setting.WeightDecays) {
        foreach ($batch in $setting.Small, $setting.Large) { Invoke-BatchSizeRun $setting $batch $weightDecay $seed $OutputDirectory }
    }
}
$trainingSeconds = $clock.Elapsed.TotalSeconds

# One ascent from δ = 0, as their code: a probe with two extra random restarts on a digits checkpoint found
# the same maximum. -Samples 1 because the average case, computed alongside, is not used here.
foreach ($run in $runs) {
    $sharpness = $run.Final | Get-LandscapeSharpness -Norm Linf -Rho $rho -BatchSize $m -Iterations $iterations -Samples 1 @subset
    $run.WorstCase = $sharpness.WorstCase
    $run.SampleCount = $sharpness.SampleCount
    $run.TrainError = 100 - $run.Final.TrainAccuracy
    $run.TestError = 100 - $run.Final.TestAccuracy
    $run.Gap = $run.TestError - $run.TrainError
}
$sharpnessSeconds = $clock.Elapsed.TotalSeconds - $trainingSeconds

$pairs = foreach ($seed in $seeds) {
    foreach ($weightDecay in $setting.WeightDecays) {
        $pair = @($runs | Where-Object { $_.Seed -eq $seed -and $_.WeightDecay -eq $weightDecay })
        $small = $pair | Where-Object { $_.Kind -eq 'small' }
        $large = $pair | Where-Object { $_.Kind -eq 'large' }
        [pscustomobject]@{ Seed = $seed; WeightDecay = $weightDecay; Small = $small; Large = $large; LargeHigher = $large.WorstCase -gt $small.WorstCase }
    }
}
$holds = @($pairs | Where-Object { -not $_.LargeHigher }).Count -eq 0

$sharpnessValues = [double[]]@($runs | ForEach-Object { $_.WorstCase })
$gaps = [double[]]@($runs | ForEach-Object { $_.Gap })
$spearman = Get-SpearmanCorrelation $sharpnessValues $gaps
$sharpnessRanks = Get-AverageRank $sharpnessValues
$gapRanks = Get-AverageRank $gaps
$seconds = $clock.Elapsed.TotalSeconds

$pairRows = foreach ($p in $pairs) {
    '| {0} | {1} | {2} | {3} | {4} | {5} / {6} | {7} / {8} | {9} / {10} |' -f $p.Seed, (Format-WeightDecay $p.WeightDecay),
        (Format-Number $p.Small.WorstCase 'F6'), (Format-Number $p.Large.WorstCase 'F6'), $(if ($p.LargeHigher) { 'yes' } else { 'no' }),
        (Format-Number $p.Small.TrainError 'F2'), (Format-Number $p.Large.TrainError 'F2'),
        (Format-Number $p.Small.TestError 'F2'), (Format-Number $p.Large.TestError 'F2'),
        (Format-Number $p.Small.Gap 'F2'), (Format-Number $p.Large.Gap 'F2')
}
$rankRows = for ($i = 0; $i -lt $runs.Count; $i++) {
    '| {0} | {1} | {2} | {3} | {4} | {5} |' -f $runs[$i].Name, $runs[$i].Seed, (Format-Number $runs[$i].WorstCase 'F6'), (Format-Number $sharpnessRanks[$i] 'F1'),
        (Format-Number $runs[$i].Gap 'F2'), (Format-Number $gapRanks[$i] 'F1')
}
$failures = @($pairs | Where-Object { -not $_.LargeHigher } | ForEach-Object { 'seed {0} at WD {1}' -f $_.Seed, (Format-WeightDecay $_.WeightDecay) })
# Training evaluates on the whole test split, also in the tiny version.
$testSamples = (Get-LandscapeDataset Digits -Split Test).Count

$markdown = @"
## Claim 5 — Large-batch minima have higher adaptive worst-case sharpness (ℓ∞, ρ = $rho)

**Claim.** Measured by adaptive worst-case sharpness (Andriushchenko et al., *A Modern Look at the
Relationship between Sharpness and Generalization*, ICML 2023), the minimum reached with a large batch is
sharper than the one reached with a small batch, for every training seed. Andriushchenko et al. also find
that this sharpness correlates only weakly with generalization; the rank correlation with the test-error
gap is reported beside the verdict.

**Setting.** Claim 1's runs (DigitsCnn on the built-in digits, $($setting.TrainSamples) training images; batch
$($setting.Small.BatchSize) at learning rate $($setting.Small.LearningRate) for $($setting.Small.Epochs) epochs against the whole split at $($setting.Large.LearningRate) for $($setting.Large.Epochs) epochs;
weight decay 0 and 5e-4) with training seeds $($seeds -join ', '); seed 1's checkpoints are claim 1's. The final
checkpoint of each run, $($runs.Count) in all. Get-LandscapeSharpness -Norm Linf -Rho $rho -BatchSize $m -Iterations $($iterations):
ρ = $rho (the top of their ℓ∞ range 0.0005–0.002, fixed before measuring), m = $m (consecutive batches of the
$($runs[0].SampleCount) training images, the last holding the rest), $iterations iterations of their projected
gradient ascent from δ = 0 (one restart), every parameter perturbed (biases and BatchNorm γ/β included, as
their code; BatchNorm statistics not folded), the model in eval mode.

**Metric.** Adaptive worst-case sharpness S = max L_B(w + δ) − L_B(w) over ‖δ ⊘ |w|‖∞ ≤ ρ, computed per batch
B of m training images and averaged with the batches' sizes as weights (m-sharpness; cross-entropy, nats).
Train and test error: the checkpoint's own evaluation in eval mode on the training images and the test split;
test-error gap = test error − train error (percentage points). Spearman's rank correlation between S and the
gap over all $($runs.Count) checkpoints (ranks with ties averaged).

| Seed | WD | S, batch $($setting.Small.BatchSize) | S, batch $($setting.Large.BatchSize) | Large higher | Train error (%) small / large | Test error (%) small / large | Gap (pp) small / large |
|---|---|---|---|---|---|---|---|
$($pairRows -join "`n")

| Run | Seed | S | Rank of S | Gap (pp) | Rank of gap |
|---|---|---|---|---|---|
$($rankRows -join "`n")

Spearman rank correlation between S and the test-error gap: **ρ_s = $(Format-Number $spearman 'F3')** (n = $($runs.Count)).$(if ([double]::IsNaN($spearman)) { ' Undefined: every checkpoint has the same gap or the same sharpness.' })
The test split holds $testSamples images, so test errors move in steps of $(Format-Number (100 / $testSamples) 'F2') points: the gaps span
$(Format-Number ([System.Linq.Enumerable]::Min($gaps)) 'F2')–$(Format-Number ([System.Linq.Enumerable]::Max($gaps)) 'F2') points in $([System.Collections.Generic.HashSet[double]]::new($gaps).Count) distinct values, and many tie.

**Verdict.** $(if ($holds) { "Agrees: the large-batch minimum has the higher adaptive worst-case sharpness for every seed at both weight decays ($($pairs.Count) of $($pairs.Count) pairs)." } else { "Does not agree: the large-batch minimum is not the sharper one for $($failures -join ', ') ($($pairs.Count - $failures.Count) of $($pairs.Count) pairs agree)." })

Run time of this claim: $(Format-Number $seconds 'F0') s on this machine ($(Format-Number $trainingSeconds 'F0') s training, of which seed 1 costs
nothing after claim 1; $(Format-Number $sharpnessSeconds 'F0') s for the sharpness of the $($runs.Count) checkpoints).
"@

[pscustomobject]@{
    Claim = 5
    Holds = $holds
    Rho = $rho
    Runs = $runs
    Pairs = $pairs
    Spearman = $spearman
    Seconds = $seconds
    Figures = @()
    Markdown = $markdown
}
