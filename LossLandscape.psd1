@{
    RootModule           = 'LossLandscape.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0a6f52-3c1e-4d8e-9a55-1c2b7d0e9a31'
    Author               = 'LossLandscape contributors'
    CompanyName          = 'LossLandscape'
    Copyright            = '(c) LossLandscape contributors. MIT License.'
    Description          = 'Loss landscapes of neural networks (Li et al., NeurIPS 2018) from PowerShell, over a TorchSharp compute core: train, checkpoint, filter-normalized directions, surfaces and plots.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('LossLandscape.Format.ps1xml')
    TypesToProcess       = @('LossLandscape.Types.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Import-Checkpoint'
        'Invoke-LandscapeTraining'
        'Get-LandscapeDataset'
        'Get-LandscapeModel'
        'Get-LandscapeSetting'
        'Set-LandscapeSetting'
        'New-LandscapeDirection'
        'Import-LandscapeDirection'
        'Get-LossSurface'
        'Import-LossSurface'
        'Merge-LossSurface'
        'Start-LossSurfaceJob'
        'Get-LossSurfaceJob'
        'Wait-LossSurfaceJob'
        'Resume-LossSurfaceJob'
        'Invoke-LossSurfaceTask'
        'Export-LandscapePlot'
        'Export-Checkpoint'
        'Get-TrajectoryPCA'
        'Get-HessianSpectrum'
        'Get-LandscapeSharpness'
        'Measure-ModeConnectivity'
        'Invoke-CurveTraining'
        'Import-TrajectoryPCA'
        'Export-TrajectoryPCA'
        'Get-PermutationAlignment'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('LossLandscape', 'MachineLearning', 'DeepLearning', 'TorchSharp', 'Visualization')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
