# Several surfaces side by side with one colour scale, as the paper compares nets: the same
# network at epochs 2, 3 and 4 (each surface along its own filter-normalized directions).
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$surfaces = $example.Checkpoints[2..4] | ForEach-Object { $_ | Get-LossSurface -Steps 15 -OutFile ([System.IO.Path]::Combine($example.Folder, "surface-epoch$($_.Epoch)-15.h5")) }
$file = $surfaces | Export-LandscapePlot -Layout Grid -Style Filled -Path ([System.IO.Path]::Combine($example.Folder, 'panels.png')) -Force -PassThru
"Plot: $($file.FullName)"
