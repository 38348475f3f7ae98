#Requires -Modules Pester
<#
    Every example a user can copy from README.md, the about_ topic and the cmdlet help runs here, in
    real pwsh against the built module, each in a fresh copy of a fixture folder that holds what the
    examples name: a digits training run in ./runs/digits-cnn (and ./runs/cnn), its direction file,
    surface, shard and PCA files, a job folder, a Hugging Face GPT-2 folder in ./models/gpt2-tiny. So that the whole set runs in about a minute, the test shrinks grids and
    data: -Steps/-XSteps/-YSteps become 3 and -MaxSamples becomes (or defaults to) 100; the README's
    ./output/LossLandscape names the built module. An example that needs what no test machine has starts with a tag
    "# requires: cuda|slurm|user-files|install — why" and is reported as skipped with that reason.
#>

BeforeDiscovery {
    $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $examples = & ([System.IO.Path]::Combine($PSScriptRoot, 'DocumentedExamples.ps1')) -Root $root
}

BeforeAll {
    $root = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
    Import-Module ([System.IO.Path]::Combine($root, 'output', 'LossLandscape')) -Force
    $script:work = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "losslandscape-examples-$([guid]::NewGuid().ToString('N'))")
    $script:fixture = [System.IO.Path]::Combine($script:work, 'fixture')
    $runs = [System.IO.Path]::Combine($script:fixture, 'runs')
    $run = [System.IO.Path]::Combine($runs, 'digits-cnn')
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:fixture, 'plots'))

    $checkpoints = Invoke-LandscapeTraining -Model DigitsCnn -Dataset Digits -Epochs 10 -Seed 1 -MaxSamples 100 -OutputDirectory $run
    $final = $checkpoints[-1]
    $directions = $final | New-LandscapeDirection -Seed 7 -OutFile ([System.IO.Path]::Combine($run, 'dirs.h5'))
    $surface = $final | Get-LossSurface -Direction $directions -Steps 3 -MaxSamples 100 -OutFile ([System.IO.Path]::Combine($run, 'surface.h5'))
    $null = $checkpoints | Get-TrajectoryPCA -OutFile ([System.IO.Path]::Combine($run, 'pca.h5'))
    $paperPca = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($run, 'PCA_weights')).FullName
    $null = $checkpoints | Get-TrajectoryPCA | Export-TrajectoryPCA ([System.IO.Path]::Combine($paperPca, 'directions.h5'))
    foreach ($k in 0..3) {
        $null = $final | Get-LossSurface -Steps 3 -MaxSamples 100 -ShardIndex $k -ShardCount 4 -OutFile ([System.IO.Path]::Combine($run, "shard-$k.h5"))
    }
    $exports = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:fixture, 'exports')).FullName
    $null = $final | Export-Checkpoint ([System.IO.Path]::Combine($exports, 'model.pt'))
    [System.IO.File]::Move([System.IO.Path]::Combine($exports, 'model.pt'), [System.IO.Path]::Combine($exports, 'model[final].pt'))
    $bracketed = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($runs, 'resnet[skip]')).FullName
    [System.IO.File]::Copy($surface.Path, [System.IO.Path]::Combine($bracketed, 'surface.h5'))
    Copy-Item -LiteralPath $run -Destination ([System.IO.Path]::Combine($runs, 'cnn')) -Recurse
    # A two-shard Hugging Face GPT-2 folder (make_gpt_reference.py's hf-sharded) as ./models/gpt2-tiny.
    $models = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:fixture, 'models')).FullName
    Copy-Item -LiteralPath ([System.IO.Path]::Combine($root, 'tests', 'LossLandscape.Core.Tests', 'Fixtures', 'Gpt', 'hf-sharded')) -Destination ([System.IO.Path]::Combine($models, 'gpt2-tiny')) -Recurse

    # A job folder as Start-LossSurfaceJob leaves it, submitted to an sbatch stand-in that only prints a job id,
    # for the examples that run a job's tasks without Slurm (Invoke-LossSurfaceTask).
    $stubs = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:work, 'bin')).FullName
    $sbatch = [System.IO.Path]::Combine($stubs, 'sbatch')
    [System.IO.File]::WriteAllText($sbatch, "#!/bin/sh`necho 42`n")
    [System.IO.File]::SetUnixFileMode($sbatch, 'UserRead, UserWrite, UserExecute')
    $path = $env:PATH
    try {
        $env:PATH = $stubs + [System.IO.Path]::PathSeparator + $path
        $null = $final | Start-LossSurfaceJob -JobFolder ([System.IO.Path]::Combine($script:fixture, 'jobs', 'cnn')) -ShardCount 4 -Steps 3 -MaxSamples 100
    }
    finally {
        $env:PATH = $path
    }

    $builtModule = [System.IO.Path]::Combine($root, 'output', 'LossLandscape')
    function script:Reduce([string] $code) {
        ($code -replace '-(X|Y)?Steps\s+\d+', '-$1Steps 3' -replace '-MaxSamples\s+\d+', '-MaxSamples 100').Replace('./output/LossLandscape', $builtModule)
    }
}

AfterAll {
    if ($script:work -and [System.IO.Directory]::Exists($script:work)) {
        [System.IO.Directory]::Delete($script:work, $true)
    }
}

Describe 'Documented examples' {
    It '<Name>' -ForEach $examples {
        if ($Requires) {
            Set-ItResult -Skipped -Because $Requires
            return
        }
        $Code | Should -Not -BeNullOrEmpty
        $folder = [System.IO.Path]::Combine($script:work, [guid]::NewGuid().ToString('N'))
        Copy-Item -LiteralPath $script:fixture -Destination $folder -Recurse
        Push-Location -LiteralPath $folder
        $PSDefaultParameterValues['*:MaxSamples'] = 100
        try {
            $ErrorActionPreference = 'Stop'
            $null = & ([scriptblock]::Create((Reduce $Code))) 6>&1 5>&1 4>&1 3>&1
        }
        finally {
            $PSDefaultParameterValues.Remove('*:MaxSamples')
            Pop-Location
        }
    }
}
