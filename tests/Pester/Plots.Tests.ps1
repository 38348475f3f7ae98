#Requires -Modules Pester
# Export-LandscapePlot: the design card pipeline from a checkpoint to a plot file.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Get-LossSurface and Export-LandscapePlot' {
    It 'computes the design card pipeline and writes a PNG' {
        $plots = [System.IO.Path]::Combine($script:runDirectory, 'plots')
        [System.IO.Directory]::CreateDirectory($plots) | Out-Null
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $surface = $checkpoint | Get-LossSurface -Steps 5
        $surface.TrainLoss.GetLength(0) | Should -Be 5
        $file = $surface | Export-LandscapePlot -Path $plots -PassThru
        $file.Extension | Should -Be '.png'
    }
}
