#Requires -Modules Pester
# Get-Help of every exported cmdlet, as built from docs/help/*.md, and the about_LossLandscape topic.

BeforeDiscovery {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    $cmdlets = (Get-Module LossLandscape).ExportedCmdlets.Keys | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
}

Describe 'Help' {
    It '<Name> has a synopsis, a description and at least two examples' -TestCases $cmdlets {
        $help = Get-Help -Name $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It '<Name> documents every parameter' -TestCases $cmdlets {
        $expected = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters }
        $help = Get-Help -Name $Name -Full
        $documented = $help.parameters.parameter | Where-Object { $_ } | ForEach-Object { $_.name }
        @($documented | Sort-Object) | Should -Be @($expected | Sort-Object)
    }

    It 'has its about_LossLandscape topic' {
        (Get-Help about_LossLandscape | Out-String) | Should -Match 'AXIS CONVENTION'
    }
}
