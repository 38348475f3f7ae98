# The optimization path on the plane of its two principal components, over the loss contours.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$pca = $example.Checkpoints | Get-TrajectoryPCA
"Explained variance ratio: $($pca.ExplainedVarianceRatio -join ', ')"
$surface = $pca | Get-LossSurface -Steps 15 -OutFile ([System.IO.Path]::Combine($example.Folder, 'surface-pca-15.h5'))
$file = $surface | Export-LandscapePlot -Trajectory $pca -HighlightEpoch 2 -Path ([System.IO.Path]::Combine($example.Folder, 'trajectory-pca.png')) -Force -PassThru
"Plot: $($file.FullName)"
