#Requires -Modules Pester
# Get-LandscapeSharpness: sharpness measures of checkpoints, to the pipeline and to sweep files.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Get-LandscapeSharpness' {
    It 'measures every checkpoint of the pipeline and writes them as one JSON sweep file with the definitions' {
        $checkpoints = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-00[12].dat'))
        $json = [System.IO.Path]::Combine($script:runDirectory, 'sharpness.json')
        $results = $checkpoints | Get-LandscapeSharpness -Norm Linf -Rho 0.002 -MaxSamples 32 -BatchSize 16 -Samples 4 -Iterations 4 -OutFile $json
        $results.Count | Should -Be 2
        $results[0].BatchCount | Should -Be 2
        $results[0].WorstCase | Should -BeGreaterThan 0
        $results[0].Measures.Name | Should -Be @('AverageCase', 'WorstCase', 'Keskar', 'DirectionCurvature', 'SecondDifference')
        $rows = Get-Content -Raw $json | ConvertFrom-Json
        $rows.Count | Should -Be 2
        $rows[1].worst_case | Should -Be $results[1].WorstCase
        $rows[1].norm | Should -Be 'Linf'
        $rows[1].measures[2].definition | Should -BeLike '*ε(|w_i| + 1)*'
    }

    It 'refuses an existing sweep file that holds other results with OutputFileExists, and keeps it' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $csv = [System.IO.Path]::Combine($script:runDirectory, 'other.csv')
        Set-Content -LiteralPath $csv -Value 'not these results'
        $null = $checkpoint | Get-LandscapeSharpness -MaxSamples 16 -Samples 2 -Iterations 2 -OutFile $csv -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OutputFileExists,*'
        (Get-Content -Raw $csv).Trim() | Should -Be 'not these results'
    }
}
