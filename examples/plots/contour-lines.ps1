# 2D contour lines at the paper's levels (0.1 to 10 in steps of 0.5), centre marked. SVG by extension.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -Path ([System.IO.Path]::Combine($example.Folder, 'contour-lines.svg')) -Force -PassThru
"Plot: $($file.FullName)"
