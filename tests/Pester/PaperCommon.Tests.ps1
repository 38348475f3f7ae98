#Requires -Modules Pester
# The statistics of examples/paper/Common.ps1 that the report's verdicts rest on, on hand-computed cases.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'examples', 'paper', 'Common.ps1'))
}

Describe 'Get-AverageRank' {
    It 'gives tied values the mean of the ranks they span, in the order of the input' {
        # Sorted: 1 (rank 1), 2 (rank 2), the three 3s share ranks 3, 4, 5 → 4.
        $ranks = Get-AverageRank 3, 1, 3, 2, 3
        $ranks | Should -Be @(4.0, 1.0, 4.0, 2.0, 4.0)
    }

    It 'refuses NaN, which has no place in an order' {
        { Get-AverageRank 1, ([double]::NaN) } | Should -Throw '*NaN*'
    }
}

Describe 'Get-SpearmanCorrelation' {
    It 'is Pearson''s correlation of the average ranks when one side has ties' {
        # Ranks x = (1, 2.5, 2.5, 4), y = (1, 2, 4, 3); deviations from 2.5: (−1.5, 0, 0, 1.5) and
        # (−1.5, −0.5, 1.5, 0.5); Σxy = 3, Σx² = 4.5, Σy² = 5 → 3/√22.5 = √0.4.
        [math]::Abs((Get-SpearmanCorrelation 1, 2, 2, 3 10, 20, 40, 30) - [math]::Sqrt(0.4)) | Should -BeLessThan 1e-12
    }

    It 'is 1 for any increasing relation and −1 for a decreasing one' {
        $x = [double[]](0.5, 3, -2, 7, 1)
        $cubes = [double[]]($x | ForEach-Object { $_ * $_ * $_ })
        Get-SpearmanCorrelation $x $cubes | Should -Be 1.0
        Get-SpearmanCorrelation $x ([double[]]($x | ForEach-Object { -[math]::Exp($_) })) | Should -Be (-1.0)
    }

    It 'is NaN when one side is all ties, and refuses series of different lengths' {
        [double]::IsNaN((Get-SpearmanCorrelation 1, 2, 3 5, 5, 5)) | Should -BeTrue
        { Get-SpearmanCorrelation 1, 2, 3 1, 2 } | Should -Throw '*one length*'
    }
}
