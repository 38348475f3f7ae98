#Requires -Modules Pester
<#
    The module in a user's session: importing it again, with -Force or after Remove-Module, keeps every
    cmdlet, and objects made before the re-import still bind to them (one load context per module folder).
    Run in a child pwsh, so the re-imports do not disturb the other files of the suite.
#>

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $script:runDirectory = New-TestRunDirectory
    Initialize-TrainedRun $script:runDirectory
}

AfterAll {
    Remove-TestRunDirectory $script:runDirectory
}

Describe 'Import-Module LossLandscape again in one session' {
    It 'keeps all cmdlets after -Force and after Remove-Module, and earlier objects still bind' {
        $command = @'
$exported = (Test-ModuleManifest ([System.IO.Path]::Combine($args[0], (Get-ChildItem $args[0] -Directory)[0].Name, 'LossLandscape.psd1'))).ExportedCmdlets.Count
Import-Module $args[0]
$checkpoint = Import-Checkpoint $args[1]
$first = (Get-Command -Module LossLandscape).Count
Import-Module $args[0] -Force
$forced = (Get-Command -Module LossLandscape).Count
Remove-Module LossLandscape
Import-Module $args[0]
$again = (Get-Command -Module LossLandscape).Count
$surface = $checkpoint | Get-LossSurface -Dimensions 1 -Steps 3 -MaxSamples 50
"$exported $first $forced $again $($surface.TrainLoss.Count)"
'@
        $child = Wait-ChildPwsh (Start-ChildPwsh $command $manifest, ([System.IO.Path]::Combine($script:runDirectory, 'epoch-002.dat')))
        $child.ExitCode | Should -Be 0 -Because $child.Errors
        $counts = -split $child.Output.Trim()
        [int] $counts[0] | Should -BeGreaterThan 20
        $counts[1..3] | Should -Be @($counts[0], $counts[0], $counts[0])
        $counts[4] | Should -Be '3'
    }
}
