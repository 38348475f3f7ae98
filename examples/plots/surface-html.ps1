# An interactive 3D surface as one offline HTML file (plotly.js inlined: no network needed to open it).
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -LogScale -Path ([System.IO.Path]::Combine($example.Folder, 'surface.html')) -Force -PassThru
"Plot: $($file.FullName)"
