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
    It 'finds the top eigenvalues and λmin, and its eigenvectors span a surface centred on the same loss' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $spectrum = $checkpoint | Get-HessianSpectrum -Top 2 -MaxSamples 50 -Seed 1
        $spectrum.Converged | Should -BeTrue
        $spectrum.TopEigenvalues.Count | Should -Be 2
        $spectrum.TopEigenvalues[0] | Should -BeGreaterThan 0
        $spectrum.TopEigenvalues[0] | Should -BeGreaterOrEqual $spectrum.TopEigenvalues[1]
        $spectrum.MinEigenvalue | Should -BeLessOrEqual $spectrum.TopEigenvalues[1]
        $spectrum.Direction.Count | Should -Be 2
        # The same 50 samples: the surface's centre is θ* itself, where the spectrum's loss was taken.
        $surface = $spectrum | Get-LossSurface -Steps 3 -MaxSamples 50
        [System.Math]::Abs($surface.TrainLoss[1, 1] - $spectrum.Loss) | Should -BeLessOrEqual (1e-6 * $spectrum.Loss)
    }

    It 'rejects a name that is no device at binding, listing the valid ones' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $problem = { $checkpoint | Get-HessianSpectrum -Device banana } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.GetHessianSpectrumCommand' -PassThru
        $problem.Exception.Message | Should -BeLike "*'banana' is not a device; use 'cpu', 'cuda' or 'cuda:N'*"
        $problem.Exception.Message | Should -Not -BeLike '*(Parameter*'
    }
}
