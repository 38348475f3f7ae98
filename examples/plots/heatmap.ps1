# A heatmap of any scalar grid (here the test loss) with a colour bar; the Hessian's |λmin/λmax| map uses the same style.
$example = & ([System.IO.Path]::Combine($PSScriptRoot, 'new-example-surface.ps1'))
$file = $example.Surface | Export-LandscapePlot -Style Heatmap -Split Test -Path ([System.IO.Path]::Combine($example.Folder, 'heatmap.png')) -Force -PassThru
"Plot: $($file.FullName)"
