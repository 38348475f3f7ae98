<#
.SYNOPSIS
    Lists every PowerShell example a user can copy: the ```powershell blocks of README.md, of the
    about_ topics and of the cmdlet help pages (docs/help/*.md, which the build turns into Get-Help).
.DESCRIPTION
    Emits one hashtable per block (Pester's -ForEach makes its keys variables): Name (file and example title or line), Code, and Requires (the reason
    from a first-line tag "# requires: cuda|slurm|user-files|install — why", else $null; install marks
    steps that change the user's own module folder or repository list, which CI runs elsewhere under a
    temporary HOME). A block without a
    tag must run against the fixtures that DocumentedExamples.Tests.ps1 lays out.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $Root)

$sources = @([System.IO.Path]::Combine($Root, 'README.md')) + @([System.IO.Directory]::GetFiles([System.IO.Path]::Combine($Root, 'docs', 'help'), '*.md') | Sort-Object)
$tag = [regex]'^\s*#\s*requires:\s*(?<kind>cuda|slurm|user-files|install)\b\s*(?<why>.*)$'
foreach ($source in $sources) {
    $lines = [System.IO.File]::ReadAllLines($source)
    $title = $null
    for ($i = 0; $i -lt $lines.Length; $i++) {
        if ($lines[$i] -match '^#{2,4}\s+(.+)$') { $title = $Matches[1].Trim() }
        if ($lines[$i] -ne '```powershell') { continue }
        $start = $i + 1
        $end = $start
        while ($end -lt $lines.Length -and $lines[$end] -ne '```') { $end++ }
        $code = $lines[$start..($end - 1)]
        $requirement = $tag.Match($code[0])
        @{
            Name     = '{0}:{1} {2}' -f [System.IO.Path]::GetFileName($source), ($start + 1), $title
            Code     = $code -join "`n"
            Requires = if ($requirement.Success) { "$($requirement.Groups['kind'].Value): $($requirement.Groups['why'].Value.Trim(' ', '-', '—'))" } else { $null }
        }
        $i = $end
    }
}
