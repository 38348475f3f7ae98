#Requires -Modules Pester
# Workflows as a lab runs them: examples/lab-sweep.ps1 killed mid-run by its scheduler and run again.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    $script:sweep = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'examples', 'lab-sweep.ps1'))
    # 2 checkpoints (epochs 0 and 1) × 3 direction seeds × (1D, 2D) = 12 surfaces of 9 and 9×9 points:
    # about 4 s of surfaces after the first, time enough to kill the run in the middle.
    $script:sweepCommand = 'Import-Module $args[0]; & $args[1] -OutputDirectory $args[2] -Epochs 1 -MaxSamples 200 -DirectionSeed 1, 2, 3 -Steps 9'
    $script:invariant = [System.Globalization.CultureInfo]::InvariantCulture
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'A scheduled lab sweep (examples/lab-sweep.ps1)' {
    It 'is killed mid-run, resumes without recomputing finished work, and summarizes every surface' {
        $out = [System.IO.Path]::Combine($script:runDirectory, 'sweep')
        $plots = [System.IO.Path]::Combine($out, 'plots')
        $surfaceFolder = [System.IO.Path]::Combine($out, 'surfaces')
        $summary = [System.IO.Path]::Combine($out, 'summary.csv')

        # First run: killed (process tree) as soon as its first surface file is written.
        $first = Start-ChildPwsh $script:sweepCommand $manifest, $script:sweep, $out
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not $first.Process.HasExited -and $watch.Elapsed.TotalSeconds -lt 180 -and
            -not ([System.IO.Directory]::Exists($surfaceFolder) -and [System.IO.Directory]::GetFiles($surfaceFolder, '*.h5').Count -gt 0)) {
            Start-Sleep -Milliseconds 20
        }
        # (Not $first.Errors.Result here: reading it waits for the child to end.)
        $first.Process.HasExited | Should -BeFalse -Because 'the first run must still have surfaces to compute when it is killed'
        $first.Process.Kill($true)
        $first.Process.WaitForExit()
        $summary | Should -Not -Exist

        # What the first run finished: complete surface files and written plots, with their times and bytes.
        $surfaces = Get-ChildItem -Path $surfaceFolder -Filter *.h5 |
            Where-Object { $surface = Import-LossSurface $_.FullName; $surface.ComputedCount -eq $surface.PointCount }
        $finished = @($surfaces) + @(Get-ChildItem -Path $plots -Filter *.png) | ForEach-Object {
            [pscustomobject]@{ Path = $_.FullName; Time = $_.LastWriteTimeUtc; Hash = (Get-FileHash -LiteralPath $_.FullName).Hash }
        }
        @($surfaces).Count | Should -BeGreaterThan 0
        @($surfaces).Count | Should -BeLessThan 12

        # Second run: to the end, reading back what was finished.
        $second = Wait-ChildPwsh (Start-ChildPwsh $script:sweepCommand $manifest, $script:sweep, $out)
        $second.ExitCode | Should -Be 0 -Because $second.Errors
        foreach ($surface in $surfaces) {
            $second.Output | Should -Match "reused $([regex]::Escape($surface.BaseName))"
        }
        foreach ($file in $finished) {
            (Get-Item -LiteralPath $file.Path).LastWriteTimeUtc | Should -Be $file.Time -Because "$($file.Path) was finished by the first run"
            (Get-FileHash -LiteralPath $file.Path).Hash | Should -Be $file.Hash -Because "$($file.Path) was finished by the first run"
        }

        $rows = Import-Csv -Path $summary
        $rows.Count | Should -Be 12
        @($rows | ForEach-Object { "$($_.Checkpoint)/$($_.Seed)/$($_.Dimensions)" } | Sort-Object -Unique).Count | Should -Be 12
        ($rows.Checkpoint | Sort-Object -Unique) | Should -Be @('epoch-000', 'epoch-001')
        foreach ($row in $rows) {
            $row.Points | Should -Be $(if ($row.Dimensions -eq '1') { 9 } else { 81 })
            $centre = [double]::Parse($row.CentreLoss, $script:invariant)
            $centre | Should -BeGreaterThan 0
            $centre | Should -BeGreaterOrEqual ([double]::Parse($row.MinimumLoss, $script:invariant))
            $centre | Should -BeLessOrEqual ([double]::Parse($row.MaximumLoss, $script:invariant))
            $surface = Import-LossSurface ([System.IO.Path]::Combine($out, $row.Surface))
            $surface.ComputedCount | Should -Be $surface.PointCount
            (Get-Item -LiteralPath ([System.IO.Path]::Combine($out, $row.Plot))).Length | Should -BeGreaterThan 0
        }
        # Every grid is centred on its checkpoint: one loss at θ* per checkpoint, whatever the seed or dimensions.
        $rows | Group-Object Checkpoint | ForEach-Object { @($_.Group.CentreLoss | Sort-Object -Unique).Count | Should -Be 1 }

        # A third run after the end recomputes nothing and writes the same table.
        $table = [System.IO.File]::ReadAllText($summary)
        $third = Wait-ChildPwsh (Start-ChildPwsh $script:sweepCommand $manifest, $script:sweep, $out)
        $third.ExitCode | Should -Be 0 -Because $third.Errors
        $third.Output | Should -Not -Match 'computed '
        ([regex]::Matches($third.Output, 'reused ')).Count | Should -Be 12
        [System.IO.File]::ReadAllText($summary) | Should -Be $table
    }
}
