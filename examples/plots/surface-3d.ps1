# A 3D surface rendered to PNG (loss clipped to [0.1, 10], as the paper's surface figures).
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -Style Surface3D -Path ([System.IO.Path]::Combine($example.Folder, 'surface-3d.png')) -Force -PassThru
"Plot: $($file.FullName)"
