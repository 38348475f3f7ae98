#Requires -Modules Pester
# Get-HessianSpectrum: curvature around a checkpoint.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Get-HessianSpectrum' {
    It 'rejects a name that is no device with InvalidDevice' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $problem = { $checkpoint | Get-HessianSpectrum -Device banana } |
            Should -Throw -ErrorId 'InvalidDevice,LossLandscape.PowerShell.Commands.GetHessianSpectrumCommand' -PassThru
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
