# Filled contours with a colour bar, the colour on a log scale to show the detail near the minimum.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -Style Filled -LogScale -Path ([System.IO.Path]::Combine($example.Folder, 'contour-filled-log.png')) -Force -PassThru
"Plot: $($file.FullName)"
