#Requires -Modules Pester
# Invoke-LandscapeTraining: checkpoints per epoch, resume, thread count. Run alone: ./.ci/pester.ps1 -Path tests/Pester/Training.Tests.ps1

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Invoke-LandscapeTraining' {
    It 'writes one checkpoint per epoch, the initial one included' {
        $checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $script:runDirectory
        $checkpoints.Epoch | Should -Be @(0, 1, 2)
        $checkpoints | ForEach-Object { $_.Path | Should -Exist }
    }

    It 'resumes instead of retraining when rerun' {
        $before = [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $again = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $script:runDirectory
        $again.Count | Should -Be 3
        [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat')) | Should -Be $before
    }

    It 'records its thread count and warns when a run resumes with another' {
        $threads = (Get-LandscapeSetting).ThreadCount
        $other = if ($threads -eq 1) { 2 } else { 1 }
        $folder = [System.IO.Path]::Combine($script:runDirectory, 'threads')
        try {
            $trained = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 300 -Seed 7 -OutputDirectory $folder -ThreadCount $other
            $metadata = [System.IO.File]::ReadAllText($trained[-1].MetadataPath) | ConvertFrom-Json
            $metadata.intraOpThreads | Should -Be $other
            $null = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $folder -ThreadCount $threads -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match "-ThreadCount $other"
        }
        finally {
            Set-LandscapeSetting -ThreadCount $threads
        }
    }
}
