# Stand-ins for the Microsoft.PowerShell.Utility cmdlets scripts use most. The System.Management.Automation
# package ships only Microsoft.PowerShell.Core, so without these a script written for pwsh fails on its first
# Write-Host. The shell defines each one only where the engine has no real cmdlet of that name. They route
# through $PSCmdlet, so preferences, -Verbose, -ErrorAction and redirection behave as with the real cmdlets.

function Write-Output {
    [CmdletBinding()]
    param([Parameter(Position = 0, ValueFromPipeline, ValueFromRemainingArguments)] [AllowNull()] [AllowEmptyCollection()] [object[]] $InputObject)
    process { $InputObject }
}

function Write-Host {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromRemainingArguments)] [object] $Object,
        [switch] $NoNewline,
        [object] $Separator = ' ',
        [ConsoleColor] $ForegroundColor,
        [ConsoleColor] $BackgroundColor)
    process {
        $message = [System.Management.Automation.HostInformationMessage]@{ Message = @($Object) -join $Separator; NoNewLine = $NoNewline.IsPresent }
        $PSCmdlet.WriteInformation($message, [string[]] 'PSHOST')
    }
}

function Write-Information {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [AllowNull()] [object] $MessageData, [Parameter(Position = 1)] [string[]] $Tags)
    $PSCmdlet.WriteInformation($MessageData, $Tags)
}

function Write-Warning {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [AllowEmptyString()] [string] $Message)
    process { $PSCmdlet.WriteWarning($Message) }
}

function Write-Verbose {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [AllowEmptyString()] [string] $Message)
    process { $PSCmdlet.WriteVerbose($Message) }
}

function Write-Debug {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [AllowEmptyString()] [string] $Message)
    process { $PSCmdlet.WriteDebug($Message) }
}

function Write-Error {
    [CmdletBinding(DefaultParameterSetName = 'Message')]
    param(
        [Parameter(ParameterSetName = 'Message', Mandatory, Position = 0, ValueFromPipeline)] [AllowEmptyString()] [string] $Message,
        [Parameter(ParameterSetName = 'Exception', Mandatory)] [Exception] $Exception,
        [Parameter(ParameterSetName = 'ErrorRecord', Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord,
        [string] $ErrorId = 'Microsoft.PowerShell.Commands.WriteErrorException',
        [System.Management.Automation.ErrorCategory] $Category = 'NotSpecified',
        [object] $TargetObject)
    process {
        $record = switch ($PSCmdlet.ParameterSetName) {
            'ErrorRecord' { $ErrorRecord }
            'Exception' { [System.Management.Automation.ErrorRecord]::new($Exception, $ErrorId, $Category, $TargetObject) }
            default { [System.Management.Automation.ErrorRecord]::new([Exception]::new($Message), $ErrorId, $Category, $TargetObject) }
        }
        $PSCmdlet.WriteError($record)
    }
}

function Write-Progress {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)] [string] $Activity = 'Processing',
        [Parameter(Position = 1)] [string] $Status = 'Processing',
        [Parameter(Position = 2)] [ValidateRange(0, [int]::MaxValue)] [int] $Id = 0,
        [ValidateRange(-1, 100)] [int] $PercentComplete = -1,
        [int] $SecondsRemaining = -1,
        [string] $CurrentOperation,
        [ValidateRange(-1, [int]::MaxValue)] [int] $ParentId = -1,
        [switch] $Completed)
    $record = [System.Management.Automation.ProgressRecord]::new($Id, $Activity, $Status)
    $record.PercentComplete = $PercentComplete
    $record.SecondsRemaining = $SecondsRemaining
    $record.CurrentOperation = $CurrentOperation
    $record.ParentActivityId = $ParentId
    if ($Completed) { $record.RecordType = 'Completed' }
    $PSCmdlet.WriteProgress($record)
}
