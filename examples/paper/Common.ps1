# Helpers shared by the scripts of examples/paper (dot-sourced). Only the engine's core cmdlets and
# .NET calls are used, so the scripts run in pwsh and in the project's own shell alike.

$script:Invariant = [System.Globalization.CultureInfo]::InvariantCulture

function Format-Number([double] $Value, [string] $Format = 'F3') {
    if ([double]::IsNaN($Value)) { return 'NaN' }
    $Value.ToString($Format, $script:Invariant)
}

function New-Folder([string] $Path) {
    [System.IO.Directory]::CreateDirectory($Path).FullName
}

function Get-NearestIndex([double[]] $Values, [double] $Target) {
    # Grid coordinates are numpy-linspace values: 0.5 may be 0.5000000000000002, so search the nearest.
    $best = 0
    for ($i = 1; $i -lt $Values.Length; $i++) {
        if ([math]::Abs($Values[$i] - $Target) -lt [math]::Abs($Values[$best] - $Target)) { $best = $i }
    }
    $best
}

function Get-MeanAndSpread([double[]] $Values) {
    $mean = [System.Linq.Enumerable]::Average($Values)
    $squares = 0.0
    foreach ($value in $Values) { $squares += ($value - $mean) * ($value - $mean) }
    $sd = if ($Values.Length -gt 1) { [math]::Sqrt($squares / ($Values.Length - 1)) } else { 0.0 }
    [pscustomobject]@{ Mean = $mean; StandardDeviation = $sd; Min = [System.Linq.Enumerable]::Min($Values); Max = [System.Linq.Enumerable]::Max($Values) }
}

# Claim 1's training runs: DigitsCnn on the built-in digits, batch 16 against the whole split, weight decay 0
# and 5e-4. Claim 5 trains more seeds with the same settings and, through the same run names, reuses
# claim 1's checkpoints for seed 1 (training is idempotent in its folder).
function Get-BatchSizeSetting([bool] $Tiny) {
    # The full run uses every image; the tiny one a seeded subset (training and evaluation alike).
    $trainSamples = if ($Tiny) { 200 } else { 1442 }
    [pscustomobject]@{
        TrainSamples = $trainSamples
        Subset = $(if ($Tiny) { @{ MaxSamples = $trainSamples } } else { @{} })
        Small = @{ BatchSize = 16; Epochs = $(if ($Tiny) { 2 } else { 20 }); Milestone = $(if ($Tiny) { 1 } else { 15 }); LearningRate = 0.05 }
        Large = @{ BatchSize = $trainSamples; Epochs = $(if ($Tiny) { 4 } else { 200 }); Milestone = $(if ($Tiny) { 3 } else { 150 }); LearningRate = 0.1 }
        WeightDecays = [double[]](0.0, 5e-4)
    }
}

function Format-WeightDecay([double] $WeightDecay) {
    if ($WeightDecay -eq 0) { '0' } else { '5e-4' }
}

# Trains (or finds already trained) one run of Get-BatchSizeSetting; its folder is <OutputDirectory>/runs/<name>.
function Invoke-BatchSizeRun($Setting, [hashtable] $Batch, [double] $WeightDecay, [int] $Seed, [string] $OutputDirectory) {
    $kind = if ($Batch.BatchSize -eq $Setting.Small.BatchSize) { 'small' } else { 'large' }
    $name = 'digits-{0}-wd{1}{2}' -f $kind, (Format-WeightDecay $WeightDecay), $(if ($Seed -eq 1) { '' } else { "-seed$Seed" })
    $folder = [System.IO.Path]::Combine($OutputDirectory, 'runs', $name)
    $subset = $Setting.Subset
    $checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Dataset Digits @subset -Epochs $Batch.Epochs -Seed $Seed `
        -BatchSize $Batch.BatchSize -LearningRate $Batch.LearningRate -WeightDecay $WeightDecay `
        -LearningRateMilestones $Batch.Milestone -OutputDirectory $folder
    @{
        Name = $name; Kind = $kind; Seed = $Seed; WeightDecay = $WeightDecay; BatchSize = $Batch.BatchSize; Epochs = $Batch.Epochs
        Milestone = $Batch.Milestone; LearningRate = $Batch.LearningRate; Folder = $folder; Final = $checkpoints[-1]
        Label = 'batch {0}, WD {1}' -f $Batch.BatchSize, (Format-WeightDecay $WeightDecay)
    }
}

# Ranks 1..n of the values in their order; tied values share the mean of the ranks they span.
function Get-AverageRank([double[]] $Values) {
    foreach ($value in $Values) { if ([double]::IsNaN($value)) { throw 'Get-AverageRank: a value is NaN, which has no rank.' } }
    $sorted = [double[]]$Values.Clone()
    $order = [int[]]::new($Values.Length)
    for ($i = 0; $i -lt $order.Length; $i++) { $order[$i] = $i }
    [Array]::Sort($sorted, $order)
    $ranks = [double[]]::new($Values.Length)
    $first = 0
    while ($first -lt $sorted.Length) {
        $last = $first
        while ($last + 1 -lt $sorted.Length -and $sorted[$last + 1] -eq $sorted[$first]) { $last++ }
        for ($k = $first; $k -le $last; $k++) { $ranks[$order[$k]] = ($first + $last) / 2 + 1 }
        $first = $last + 1
    }
    , $ranks
}

# Spearman's rank correlation: Pearson's correlation of the average ranks (so ties count as in
# scipy.stats.spearmanr). NaN when one side is all ties: no ordering to correlate.
function Get-SpearmanCorrelation([double[]] $X, [double[]] $Y) {
    if ($X.Length -ne $Y.Length -or $X.Length -lt 2) { throw "Get-SpearmanCorrelation needs two series of one length, at least 2 (got $($X.Length) and $($Y.Length))." }
    $rankX = Get-AverageRank $X
    $rankY = Get-AverageRank $Y
    # Average ranks keep the sum of 1..n, so their mean is (n + 1) / 2 on both sides.
    $mean = ($X.Length + 1) / 2
    $xy = 0.0; $xx = 0.0; $yy = 0.0
    for ($i = 0; $i -lt $X.Length; $i++) {
        $xy += ($rankX[$i] - $mean) * ($rankY[$i] - $mean)
        $xx += ($rankX[$i] - $mean) * ($rankX[$i] - $mean)
        $yy += ($rankY[$i] - $mean) * ($rankY[$i] - $mean)
    }
    if ($xx -eq 0 -or $yy -eq 0) { return [double]::NaN }
    $xy / [math]::Sqrt($xx * $yy)
}

function Get-FigureLink([string] $File, [string] $Caption) {
    "![$Caption](figures/$([System.IO.Path]::GetFileName($File)))"
}

function Get-FiniteMaximum($Values) {
    $max = [double]::NegativeInfinity
    foreach ($value in $Values) { if (-not [double]::IsNaN($value) -and -not [double]::IsInfinity($value) -and $value -gt $max) { $max = $value } }
    $max
}

# Roughness of a 2D surface's train loss (rows are β, columns α): the interior points lower than all
# 8 neighbours, and the share of interior points where the discrete Hessian of the surface
# [[f_αα, f_αβ], [f_αβ, f_ββ]] (central differences) has a negative eigenvalue.
function Measure-Roughness($Surface) {
    $z = $Surface.TrainLoss
    $rows = $z.GetLength(0)
    $columns = $z.GetLength(1)
    $minima = 0
    $nonConvex = 0
    $aboveTen = 0
    foreach ($value in $z) { if (-not ($value -le 10)) { $aboveTen++ } }
    $interior = 0
    for ($i = 1; $i -lt $rows - 1; $i++) {
        for ($j = 1; $j -lt $columns - 1; $j++) {
            $interior++
            $centre = $z[$i, $j]
            $lowest = $true
            for ($di = -1; $di -le 1; $di++) {
                for ($dj = -1; $dj -le 1; $dj++) {
                    if (($di -ne 0 -or $dj -ne 0) -and -not ($centre -lt $z[($i + $di), ($j + $dj)])) { $lowest = $false }
                }
            }
            if ($lowest) { $minima++ }
            $fxx = $z[$i, ($j + 1)] - 2 * $centre + $z[$i, ($j - 1)]
            $fyy = $z[($i + 1), $j] - 2 * $centre + $z[($i - 1), $j]
            $fxy = ($z[($i + 1), ($j + 1)] - $z[($i + 1), ($j - 1)] - $z[($i - 1), ($j + 1)] + $z[($i - 1), ($j - 1)]) / 4
            # Smaller eigenvalue of the symmetric 2×2 matrix (grid spacing is equal on both axes).
            $smallest = ($fxx + $fyy) / 2 - [math]::Sqrt((($fxx - $fyy) / 2) * (($fxx - $fyy) / 2) + $fxy * $fxy)
            if ($smallest -lt 0) { $nonConvex++ }
        }
    }
    [pscustomobject]@{
        LocalMinima = $minima
        NonConvexFraction = $(if ($interior -gt 0) { $nonConvex / $interior } else { [double]::NaN })
        AboveTenFraction = $aboveTen / $z.Length
        CentreLoss = $z[[int][math]::Floor($rows / 2), [int][math]::Floor($columns / 2)]
    }
}
