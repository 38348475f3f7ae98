#Requires -Modules Pester
<#
    Pester tests for users who have pwsh and Pester: they exercise the module the way a workflow
    script does. Run: Invoke-Pester ./tests/LossLandscape.Tests.ps1 (after ./build.ps1 -Task Build).
#>

BeforeAll {
    $manifest = [System.IO.Path]::Combine($PSScriptRoot, '..', 'output', 'LossLandscape')
    Import-Module $manifest -Force
    $script:runDirectory = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "losslandscape-pester-$([guid]::NewGuid().ToString('N'))")
}

AfterAll {
    if ([System.IO.Directory]::Exists($script:runDirectory)) {
        [System.IO.Directory]::Delete($script:runDirectory, $true)
    }
}

Describe 'Invoke-LandscapeTraining' {
    It 'writes one checkpoint per epoch, the initial one included' {
        $checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $script:runDirectory
        $checkpoints.Epoch | Should -Be @(0, 1, 2)
        $checkpoints | ForEach-Object { $_.Path | Should -Exist }
    }

    It 'resumes instead of retraining when rerun' {
        $before = [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $again = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $script:runDirectory
        $again.Count | Should -Be 3
        [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat')) | Should -Be $before
    }

    It 'records its thread count and warns when a run resumes with another' {
        $threads = (Get-LandscapeSetting).ThreadCount
        $other = if ($threads -eq 1) { 2 } else { 1 }
        $folder = [System.IO.Path]::Combine($script:runDirectory, 'threads')
        try {
            $trained = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 1 -MaxSamples 300 -Seed 7 -OutputDirectory $folder -ThreadCount $other
            $metadata = [System.IO.File]::ReadAllText($trained[-1].MetadataPath) | ConvertFrom-Json
            $metadata.intraOpThreads | Should -Be $other
            $null = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $folder -ThreadCount $threads -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match "-ThreadCount $other"
        }
        finally {
            Set-LandscapeSetting -ThreadCount $threads
        }
    }
}

Describe 'Import-Checkpoint' {
    It 'reads the checkpoints back with their architecture' {
        $imported = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat'))
        $imported.Count | Should -Be 3
        $imported[0].Architecture | Should -Be 'DigitsCnn'
    }

    It 'reports a missing file as a catchable, non-terminating error' {
        $missing = [System.IO.Path]::Combine($script:runDirectory, 'nope.dat')
        Import-Checkpoint -Path $missing -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotFound,*'
    }
}

Describe 'Get-LossSurface and Export-LandscapePlot' {
    It 'computes the design card pipeline and writes a PNG' {
        $plots = [System.IO.Path]::Combine($script:runDirectory, 'plots')
        [System.IO.Directory]::CreateDirectory($plots) | Out-Null
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $surface = $checkpoint | Get-LossSurface -Steps 5
        $surface.TrainLoss.GetLength(0) | Should -Be 5
        $file = $surface | Export-LandscapePlot -Path $plots -PassThru
        $file.Extension | Should -Be '.png'
    }

    It 'is deterministic for a seed' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $a = $checkpoint | Get-LossSurface -Steps 3 -Seed 5
        $b = $checkpoint | Get-LossSurface -Steps 3 -Seed 5
        ($a.TrainLoss -join ',') | Should -Be ($b.TrainLoss -join ',')
    }
}

Describe '-Device' {
    It 'computes on cpu by default and when named' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $default = $checkpoint | Get-LossSurface -Dimensions 1 -Steps 3
        $cpu = $checkpoint | Get-LossSurface -Dimensions 1 -Steps 3 -Device cpu
        ($cpu.TrainLoss -join ',') | Should -Be ($default.TrainLoss -join ',')
    }

    It 'stops with a terminating DeviceUnavailable error before touching -OutFile' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $out = [System.IO.Path]::Combine($script:runDirectory, 'device.h5')
        # No machine has 65 GPUs: this holds for CUDA builds too.
        $problem = { $checkpoint | Get-LossSurface -Dimensions 1 -Steps 3 -OutFile $out -Device cuda:64 } |
            Should -Throw -ErrorId 'DeviceUnavailable,LossLandscape.PowerShell.Commands.GetLossSurfaceCommand' -PassThru
        $problem.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $problem.TargetObject | Should -Be 'cuda:64'
        [System.IO.File]::Exists($out) | Should -BeFalse
    }

    It 'rejects a name that is no device at binding, listing the valid ones' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $problem = { $checkpoint | Get-HessianSpectrum -Device banana } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,LossLandscape.PowerShell.Commands.GetHessianSpectrumCommand' -PassThru
        $problem.Exception.Message | Should -BeLike "*'banana' is not a device; use 'cpu', 'cuda' or 'cuda:N'*"
        $problem.Exception.Message | Should -Not -BeLike '*(Parameter*'
    }
}

Describe 'Get-TrajectoryPCA' {
    It 'explains the trajectory with two components' {
        $pca = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat')) | Get-TrajectoryPCA
        $pca.ExplainedVarianceRatio.Count | Should -Be 2
        $pca.Points.Count | Should -Be 3
    }
}

Describe 'Data sets, models and settings' {
    It 'lists the built-in data and the model zoo' {
        $digits = Get-LandscapeDataset Digits -Split Test
        $digits.Count | Should -BeGreaterThan 0
        $digits.ClassCount | Should -Be 10
        (Get-LandscapeModel ResNet20*).Name | Should -Contain 'ResNet20'
    }

    It 'sets the thread count and refuses 0' {
        (Set-LandscapeSetting -ThreadCount 1 -PassThru).ThreadCount | Should -Be 1
        (Get-LandscapeSetting).ThreadCount | Should -Be 1
        { Set-LandscapeSetting -ThreadCount 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'Directions, surface files and checkpoint export' {
    It 'saves directions and reads them back to the same surface' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $file = [System.IO.Path]::Combine($script:runDirectory, 'dirs.h5')
        $made = $checkpoint | New-LandscapeDirection -Seed 7 -OutFile $file
        $made.Count | Should -Be 2
        $read = Import-LandscapeDirection $file -Checkpoint $checkpoint
        ($checkpoint | Get-LossSurface -Direction $read -Steps 4).TrainLoss | Should -Be ($checkpoint | Get-LossSurface -Direction $made -Steps 4).TrainLoss
    }

    It 'reads a surface file back' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $file = [System.IO.Path]::Combine($script:runDirectory, 'surface.h5')
        $computed = $checkpoint | Get-LossSurface -Steps 4 -OutFile $file
        $read = Import-LossSurface $file
        $read.ComputedCount | Should -Be $read.PointCount
        $read.TrainLoss | Should -Be $computed.TrainLoss
    }

    It 'exports a checkpoint as PyTorch and safetensors files that import again' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        foreach ($name in 'digits.pt', 'digits.safetensors') {
            $file = $checkpoint | Export-Checkpoint ([System.IO.Path]::Combine($script:runDirectory, $name)) -PassThru -Force
            $file.Length | Should -BeGreaterThan 0
            (Import-Checkpoint $file.FullName -Architecture DigitsCnn | Get-LossSurface -Steps 3).TrainLoss | Should -Be ($checkpoint | Get-LossSurface -Steps 3).TrainLoss
        }
    }

    It 'writes the PCA plane in the paper layout and reads it back' {
        $checkpoints = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-*.dat'))
        $pca = $checkpoints | Get-TrajectoryPCA
        $files = $pca | Export-TrajectoryPCA ([System.IO.Path]::Combine($script:runDirectory, 'PCA', 'directions.h5')) -PassThru -Force
        $files.Count | Should -Be 2
        $again = Import-TrajectoryPCA $files[0].FullName $files[1].FullName -Reference $checkpoints[-1]
        $again.ExplainedVarianceRatio | Should -Be $pca.ExplainedVarianceRatio
    }
}

Describe 'Surface jobs on a Slurm cluster' {
    It 'shows the array and merge scripts under -WhatIf without submitting' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $folder = [System.IO.Path]::Combine($script:runDirectory, 'job')
        $checkpoint | Start-LossSurfaceJob -JobFolder $folder -ShardCount 4 -Steps 7 -WhatIf
        [System.IO.Path]::Combine($folder, 'job.json') | Should -Not -Exist
    }

    It 'says a folder without a job is not a job' {
        { Get-LossSurfaceJob ([System.IO.Path]::Combine($script:runDirectory, 'no-job')) -ErrorAction Stop } | Should -Throw -ErrorId 'SurfaceJobNotFound'
    }

    It 'runs, waits for and resumes a job when sbatch is on PATH' -Skip:(-not (Get-Command sbatch -ErrorAction SilentlyContinue)) {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $folder = [System.IO.Path]::Combine($script:runDirectory, 'slurm-job')
        $job = $checkpoint | Start-LossSurfaceJob -JobFolder $folder -ShardCount 2 -Steps 5 -CpusPerTask 1 | Wait-LossSurfaceJob
        $job.State | Should -Be 'Completed'
        $merged = [System.IO.File]::ReadAllBytes($job.OutFile)
        $whole = [System.IO.Path]::Combine($script:runDirectory, 'slurm-whole.h5')
        $checkpoint | Get-LossSurface -Steps 5 -Direction (Import-LandscapeDirection ([System.IO.Path]::Combine($folder, 'directions.h5')) -Checkpoint $checkpoint) -OutFile $whole | Out-Null
        $merged | Should -Be ([System.IO.File]::ReadAllBytes($whole))
    }
}

Describe 'Sharded surfaces and Merge-LossSurface' {
    It 'merges four shards into the file one run writes, byte for byte' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $shards = 0..3 | ForEach-Object {
            $file = [System.IO.Path]::Combine($script:runDirectory, "shard-$_.h5")
            $checkpoint | Get-LossSurface -Steps 5 -ShardIndex $_ -ShardCount 4 -OutFile $file | Out-Null
            $file
        }
        $merged = [System.IO.Path]::Combine($script:runDirectory, 'merged.h5')
        $whole = [System.IO.Path]::Combine($script:runDirectory, 'whole.h5')
        Merge-LossSurface -Path $shards -OutFile $merged
        $checkpoint | Get-LossSurface -Steps 5 -OutFile $whole | Out-Null
        [System.IO.File]::ReadAllBytes($merged) | Should -Be ([System.IO.File]::ReadAllBytes($whole))
    }

    It 'refuses a gap with SurfaceShardsIncomplete and leaves no file' {
        $shard = [System.IO.Path]::Combine($script:runDirectory, 'shard-0.h5')
        $gapped = [System.IO.Path]::Combine($script:runDirectory, 'gapped.h5')
        { Merge-LossSurface -Path $shard -OutFile $gapped } | Should -Throw -ErrorId 'SurfaceShardsIncomplete'
        $gapped | Should -Not -Exist
    }
}

Describe 'Jobs and parallel runs' {
    It 'returns objects from Start-Job that format and feed back into the cmdlets' {
        $checkpointPath = [System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat')
        $surfaceFile = [System.IO.Path]::Combine($script:runDirectory, 'job-surface.h5')
        $job = Start-Job -ScriptBlock {
            param($module, $checkpointPath, $surfaceFile)
            Import-Module $module
            Import-Checkpoint $checkpointPath | Get-LossSurface -Dimensions 1 -Steps 5 -OutFile $surfaceFile -Force
        } -ArgumentList $manifest, $checkpointPath, $surfaceFile
        $fromJob = $job | Wait-Job | Receive-Job
        $job | Remove-Job
        $fromJob.PSTypeNames[0] | Should -Be 'Deserialized.LossLandscape.PowerShell.Types.LossSurface'
        ($fromJob | Out-String) | Should -Match 'α range'
        $plot = $fromJob | Export-LandscapePlot -Path ([System.IO.Path]::Combine($script:runDirectory, 'job-plot.png')) -PassThru -Force
        $plot.Length | Should -BeGreaterThan 0
        $live = Import-Checkpoint $checkpointPath | Get-LossSurface -Dimensions 1 -Steps 5
        ($fromJob.TrainLoss -join ',') | Should -Be ($live.TrainLoss -join ',')
    }

    It 'computes the same surfaces under ForEach-Object -Parallel as in a serial loop' {
        $paths = 0..2 | ForEach-Object { [System.IO.Path]::Combine($script:runDirectory, ('epoch-{0:D3}.dat' -f $_)) }
        $serial = $paths | ForEach-Object { (Import-Checkpoint $_ | Get-LossSurface -Steps 4 -Seed 11).TrainLoss -join ',' }
        $parallel = $paths | ForEach-Object -Parallel {
            Import-Module $using:manifest
            (Import-Checkpoint $_ | Get-LossSurface -Steps 4 -Seed 11).TrainLoss -join ','
        } -ThrottleLimit 3
        ($parallel | Sort-Object) | Should -Be ($serial | Sort-Object)
    }
}

Describe 'Help' {
    BeforeDiscovery {
        $manifest = [System.IO.Path]::Combine($PSScriptRoot, '..', 'output', 'LossLandscape')
        Import-Module $manifest -Force
        $script:cmdlets = (Get-Module LossLandscape).ExportedCmdlets.Keys | ForEach-Object { @{ Name = $_ } }
    }

    It '<Name> has a synopsis, a description and at least two examples' -TestCases $script:cmdlets {
        $help = Get-Help -Name $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It '<Name> documents every parameter' -TestCases $script:cmdlets {
        $expected = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters }
        $help = Get-Help -Name $Name -Full
        $documented = $help.parameters.parameter | Where-Object { $_ } | ForEach-Object { $_.name }
        @($documented | Sort-Object) | Should -Be @($expected | Sort-Object)
    }

    It 'has its about_LossLandscape topic' {
        (Get-Help about_LossLandscape | Out-String) | Should -Match 'AXIS CONVENTION'
    }
}
