# The optimization path on the plane of its two principal components, over the loss contours.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$pca = $example.Checkpoints | Get-TrajectoryPCA
"Explained variance ratio: $($pca.ExplainedVarianceRatio -join ', ')"
$file = $pca | Get-LossSurface -Steps 15 | Export-LandscapePlot -Trajectory $pca -HighlightEpoch 2 -Path ([System.IO.Path]::Combine($example.Folder, 'trajectory-pca.png')) -Force -PassThru
"Plot: $($file.FullName)"
