#Requires -Modules Pester
# New-LandscapeDirection and Import-LandscapeDirection: directions saved to a file and read back.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'New-LandscapeDirection and Import-LandscapeDirection' {
    It 'saves directions and reads them back to the same surface' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $file = [System.IO.Path]::Combine($script:runDirectory, 'dirs.h5')
        $made = $checkpoint | New-LandscapeDirection -Seed 7 -OutFile $file
        $made.Count | Should -Be 2
        $read = Import-LandscapeDirection $file -Checkpoint $checkpoint
        ($checkpoint | Get-LossSurface -Direction $read -Steps 4).TrainLoss | Should -Be ($checkpoint | Get-LossSurface -Direction $made -Steps 4).TrainLoss
    }
}
