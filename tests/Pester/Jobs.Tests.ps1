#Requires -Modules Pester
# Start-LossSurfaceJob, Get-LossSurfaceJob and Wait-LossSurfaceJob (Slurm), and module objects in PowerShell jobs and -Parallel runs.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory

    # sbatch on PATH is not a cluster: a machine with slurm-wlm installed and no slurmctld running
    # (as here outside xunit's SlurmCluster fixture) fails at submission. This suite starts no
    # controller; it runs the real-cluster test only where one answers. The xunit Slurm tests
    # (tests/LossLandscape.Shell.Tests/SlurmCluster.cs) start a one-node cluster and run in CI.
    $script:slurmController = $false
    if (Get-Command scontrol -CommandType Application -ErrorAction SilentlyContinue) {
        $ping = & scontrol ping 2>&1 | Out-String
        $script:slurmController = $LASTEXITCODE -eq 0 -and $ping -match '\bUP\b'
    }
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Surface jobs on a Slurm cluster' {
    It 'shows the array and merge scripts under -WhatIf without submitting' {
        $checkpoint = Import-Checkpoint -Path ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat'))
        $folder = [System.IO.Path]::Combine($script:runDirectory, 'job')
        # -WhatIf writes the scripts and sbatch arguments to the host, which a child pwsh's output shows.
        $child = Start-ChildPwsh 'Import-Module $args[0]; Import-Checkpoint $args[1] | Start-LossSurfaceJob -JobFolder $args[2] -ShardCount 4 -Steps 7 -WhatIf' $manifest, $checkpoint.Path, $folder
        $shown = Wait-ChildPwsh $child
        $shown.ExitCode | Should -Be 0
        $shown.Output | Should -BeLike '*"--array=0,1,2,3"*'
        # The tasks run the module (its manifest) in the pwsh that submits them (TaskRunner), not a shell looked up on PATH.
        $shown.Output | Should -BeLike "*$([System.IO.Path]::Combine($PSHOME, 'pwsh'))*Invoke-LossSurfaceTask*"
        $shown.Output | Should -BeLike "*$([System.IO.Path]::Combine((Get-Module LossLandscape).ModuleBase, 'LossLandscape.psd1'))*"
        [System.IO.Path]::Combine($folder, 'job.json') | Should -Not -Exist
        [System.IO.Path]::Combine($folder, 'spec.json') | Should -Not -Exist
    }

    It 'says a folder without a job is not a job' {
        # Pester matches -ErrorId against the fully qualified id (Id,Namespace.Command) with -like.
        { Get-LossSurfaceJob ([System.IO.Path]::Combine($script:runDirectory, 'no-job')) -ErrorAction Stop } | Should -Throw -ErrorId 'SurfaceJobNotFound,*'
    }

    It 'runs, waits for and resumes a job on a Slurm cluster whose controller answers' {
        if (-not $script:slurmController) {
            Set-ItResult -Skipped -Because 'no Slurm controller answers scontrol ping (this suite starts none; the xunit SlurmCluster tests run a real one-node cluster)'
            return
        }
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
