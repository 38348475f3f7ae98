# The paper's 1D figure: loss (left axis, log scale) and accuracy (right axis), train solid, test dashed.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$curve = $example.Checkpoints[-1] | Get-LossSurface -Dimensions 1 -Steps 41 -Split Both -OutFile ([System.IO.Path]::Combine($example.Folder, 'curve-41.h5'))
$file = $curve | Export-LandscapePlot -LogScale -Path ([System.IO.Path]::Combine($example.Folder, 'curve-1d.png')) -Force -PassThru
"Plot: $($file.FullName)"
