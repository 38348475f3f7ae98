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
