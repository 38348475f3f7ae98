#Requires -Modules Pester
# Get-LossSurface, Import-LossSurface and Merge-LossSurface: grids, determinism, devices, surface files and shards.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Get-LossSurface' {
    It 'is deterministic for a seed' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $a = $checkpoint | Get-LossSurface -Steps 3 -Seed 5
        $b = $checkpoint | Get-LossSurface -Steps 3 -Seed 5
        ($a.TrainLoss -join ',') | Should -Be ($b.TrainLoss -join ',')
    }

    It 'reads a surface file back' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $file = [System.IO.Path]::Combine($script:runDirectory, 'surface.h5')
        $computed = $checkpoint | Get-LossSurface -Steps 4 -OutFile $file
        $read = Import-LossSurface $file
        $read.ComputedCount | Should -Be $read.PointCount
        $read.TrainLoss | Should -Be $computed.TrainLoss
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
        # Pester matches -ErrorId against the fully qualified id (Id,Namespace.Command) with -like.
        { Merge-LossSurface -Path $shard -OutFile $gapped } | Should -Throw -ErrorId 'SurfaceShardsIncomplete,*'
        $gapped | Should -Not -Exist
    }
}
