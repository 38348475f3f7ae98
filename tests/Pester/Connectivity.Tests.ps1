#Requires -Modules Pester
# Mode connectivity as a user scripts it: align two networks, measure the barriers, train a curve between them, plot.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    $script:a = Invoke-LandscapeTraining -Model Mlp -Epochs 6 -MaxSamples 200 -Seed 1 -OutputDirectory ([System.IO.Path]::Combine($script:runDirectory, 'a')) | Select-Object -Last 1
    $script:b = Invoke-LandscapeTraining -Model Mlp -Epochs 6 -MaxSamples 200 -Seed 2 -OutputDirectory ([System.IO.Path]::Combine($script:runDirectory, 'b')) | Select-Object -Last 1
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Mode connectivity: align → barrier → curve → plot' {
    It 'lowers the barrier by alignment, keeps the aligned network''s own loss, and a trained curve lies below the line' {
        $alignment = $script:b | Get-PermutationAlignment -Reference $script:a -OutFile ([System.IO.Path]::Combine($script:runDirectory, 'aligned.dat'))
        $aligned = $alignment.Checkpoint
        $alignment.ObjectiveAfter | Should -BeGreaterThan $alignment.ObjectiveBefore

        $line = $script:a | Measure-ModeConnectivity -Target $script:b -Steps 11 -Split Train
        $alignedLine = $script:a | Measure-ModeConnectivity -Target $aligned -Steps 11 -Split Train
        # Permuting hidden units changes no output: the path ends on the same loss either way.
        $alignedLine.TrainLoss[-1] | Should -Be $line.TrainLoss[-1]
        $line.TrainLoss[0] | Should -Be $alignedLine.TrainLoss[0]
        $alignedLine.Barrier | Should -BeLessThan $line.Barrier
        # Entezari's barrier, recomputed here from the returned curve.
        $rise = for ($i = 0; $i -lt $line.T.Count; $i++) { $line.TrainLoss[$i] - (1 - $line.T[$i]) * $line.TrainLoss[0] - $line.T[$i] * $line.TrainLoss[-1] }
        $line.Barrier | Should -BeExactly ($rise | Measure-Object -Maximum).Maximum

        $bend = $script:a | Invoke-CurveTraining -Target $script:b -Epochs 6 -MaxSamples 200 -OutputDirectory ([System.IO.Path]::Combine($script:runDirectory, 'curve')) | Select-Object -Last 1
        $curve = $script:a | Measure-ModeConnectivity -Target $script:b -Bend $bend -Steps 11 -Split Train
        $curve.Path | Should -Be 'Bezier'
        ($curve.TrainLoss | Measure-Object -Maximum).Maximum | Should -BeLessThan ($line.TrainLoss | Measure-Object -Maximum).Maximum

        $png = [System.IO.Path]::Combine($script:runDirectory, 'paths.png')
        $file = $line, $alignedLine, $curve | Export-LandscapePlot -Path $png -Label 'line', 'aligned', 'curve' -PassThru
        $file.FullName | Should -Be $png
        $file.Length | Should -BeGreaterThan 10000
        $null = $line, $curve | Export-LandscapePlot -Path $png -Label 'only one' -Force -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'PlotFailed,*'
    }
}
