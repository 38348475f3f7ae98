<#
    Shared setup of the Pester suite, dot-sourced in each file's BeforeAll (and BeforeDiscovery where
    discovery needs the cmdlets). Each file gets its own run folder and, where it needs them, its own
    small trained checkpoints, so a file runs alone or with the others in one session, in any order.
#>

# The module as the build lays it out (dotnet build src/LossLandscape.PowerShell -c Release).
$manifest = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'output', 'LossLandscape'))
Import-Module $manifest -Force

function New-TestRunDirectory {
    $path = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "losslandscape-pester-$([guid]::NewGuid().ToString('N'))")
    [System.IO.Directory]::CreateDirectory($path).FullName
}

function Remove-TestRunDirectory([string] $Path) {
    if ($Path -and [System.IO.Directory]::Exists($Path)) {
        [System.IO.Directory]::Delete($Path, $true)
    }
}

# DigitsCnn epochs 0..2 on 300 samples (about a second): epoch-000.dat … epoch-002.dat in $Path.
function Initialize-TrainedRun([string] $Path) {
    $trained = Invoke-LandscapeTraining -Model DigitsCnn -Epochs 2 -MaxSamples 300 -Seed 7 -OutputDirectory $Path
    if ($trained.Count -ne 3) { throw "Expected 3 checkpoints in '$Path', got $($trained.Count)." }
}

# Starts this same pwsh (dotnet + pwsh.dll when it runs as a local tool) on $Command, whose $args are
# $Arguments (no quoting). Its output is read as it comes, so a full pipe never blocks the child.
function Start-ChildPwsh([string] $Command, [string[]] $Arguments = @()) {
    $program = [System.Environment]::ProcessPath
    $start = [System.Diagnostics.ProcessStartInfo]::new($program)
    if ([System.IO.Path]::GetFileNameWithoutExtension($program) -eq 'dotnet') {
        $start.ArgumentList.Add([System.IO.Path]::Combine($PSHOME, 'pwsh.dll'))
    }
    foreach ($argument in @('-NoProfile', '-NonInteractive', '-CommandWithArgs', "`$ProgressPreference = 'SilentlyContinue'; $Command") + $Arguments) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Errors = $process.StandardError.ReadToEndAsync() }
}

# Waits for a child from Start-ChildPwsh and returns its exit code and output.
function Wait-ChildPwsh($Child, [int] $TimeoutSeconds = 300) {
    if (-not $Child.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Child.Process.Kill($true)
        throw "The child pwsh ran past $TimeoutSeconds s."
    }
    [pscustomobject]@{ ExitCode = $Child.Process.ExitCode; Output = $Child.Output.Result; Errors = $Child.Errors.Result }
}
