#Requires -Modules Pester
# Import-Checkpoint and Export-Checkpoint: reading checkpoints back, missing files, PyTorch and safetensors round trips.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Import-Checkpoint' {
    It 'reads the checkpoints back with their architecture' {
        $imported = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat'))
        $imported.Count | Should -Be 3
        $imported[0].Architecture | Should -Be 'DigitsCnn'
    }

    It 'reports a missing file as a catchable, non-terminating error' {
        $missing = [System.IO.Path]::Combine($script:runDirectory, 'nope.dat')
        Import-Checkpoint -Path $missing -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotFound,*'
    }
}

Describe 'Export-Checkpoint' {
    It 'exports a checkpoint as PyTorch and safetensors files that import again' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        # Only our .dat records its data set (in its JSON); an exported file holds the weights alone,
        # so both sides name the data: the surfaces must agree on the same data to the last bit.
        $expected = ($checkpoint | Get-LossSurface -Steps 3 -Dataset Digits).TrainLoss
        foreach ($name in 'digits.pt', 'digits.safetensors') {
            $file = $checkpoint | Export-Checkpoint ([System.IO.Path]::Combine($script:runDirectory, $name)) -PassThru -Force
            $file.Length | Should -BeGreaterThan 0
            $imported = Import-Checkpoint $file.FullName -Architecture DigitsCnn
            ($imported | Get-LossSurface -Steps 3 -Dataset Digits).TrainLoss | Should -Be $expected
            # Without -Dataset the error says what is missing and how to fix it.
            $imported | Get-LossSurface -Steps 3 -ErrorVariable problems -ErrorAction SilentlyContinue
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'SurfaceArgumentInvalid,*'
            "$($problems[0])" | Should -BeLike "The checkpoint file '$name' records no data set*pass -Dataset*"
        }
    }
}
