# ParaView XML PolyData, with the paper code's options: clip at -Max, log(z + 0.1), finer grid.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -Max 10 -LogScale -Interpolate 2 -Path ([System.IO.Path]::Combine($example.Folder, 'surface.vtp')) -Force -PassThru
"Plot: $($file.FullName)"
