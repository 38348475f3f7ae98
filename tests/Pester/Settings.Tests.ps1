#Requires -Modules Pester
# Get-LandscapeDataset, Get-LandscapeModel, Get-LandscapeSetting and Set-LandscapeSetting.

BeforeAll {
    . ([System.IO.Path]::Combine($PSScriptRoot, 'Common.ps1'))
    # The thread count is the session's: put it back for the files that run after this one.
    $script:threads = (Get-LandscapeSetting).ThreadCount
}

AfterAll {
    Set-LandscapeSetting -ThreadCount $script:threads
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
