#Requires -Modules Pester
# Get-TrajectoryPCA, Export-TrajectoryPCA and Import-TrajectoryPCA: the training path on its PCA plane.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Get-TrajectoryPCA' {
    It 'explains the trajectory with two components' {
        $pca = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat')) | Get-TrajectoryPCA
        $pca.ExplainedVarianceRatio.Count | Should -Be 2
        $pca.Points.Count | Should -Be 3
    }
}

Describe 'Export-TrajectoryPCA and Import-TrajectoryPCA' {
    It 'writes the PCA plane in the paper layout and reads it back' {
        $checkpoints = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat'))
        $pca = $checkpoints | Get-TrajectoryPCA
        # Like every writer of the module but training, Export-TrajectoryPCA refuses a folder that
        # does not exist (a mistyped path is not silently created): the caller makes it.
        $folder = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:runDirectory, 'PCA')).FullName
        $files = $pca | Export-TrajectoryPCA ([System.IO.Path]::Combine($folder, 'directions.h5')) -PassThru -Force
        $files.Count | Should -Be 2
        $again = Import-TrajectoryPCA $files[0].FullName $files[1].FullName -Reference $checkpoints[-1]
        $again.ExplainedVarianceRatio | Should -Be $pca.ExplainedVarianceRatio
    }
}
