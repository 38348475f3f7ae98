namespace LossLandscape.Shell.Tests;

public sealed class ShellTests : IDisposable
{
    private readonly DirectoryInfo _scripts = Directory.CreateTempSubdirectory("losslandscape-shell-");

    public void Dispose() => _scripts.Delete(recursive: true);

    [Fact]
    public void CommandPrintsItsResultAndSucceeds()
    {
        var result = ShellProcess.Run("-Command", "1 + 1");

        Assert.Equal("2", result.StdOut.Trim());
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void FileBindsNamedAndPositionalArgumentsAndSetsPSScriptRoot()
    {
        var script = WriteScript("param($Name, [int]$Count, [switch]$Loud)\n\"$Name|$($Count + 1)|$Loud|$PSScriptRoot\"");

        var result = ShellProcess.Run("-File", script, "-Name", "O'Brien", "41", "-Loud");

        Assert.Equal($"O'Brien|42|True|{_scripts.FullName}", result.StdOut.Trim());
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void ThrowingScriptExitsOneWithTheMessageAndPositionOnStderr()
    {
        var script = WriteScript("'before'\nthrow 'the model diverged'");

        var result = ShellProcess.Run("-f", script);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the model diverged", result.StdErr);
        Assert.Contains($"{script}:2", result.StdErr);
        Assert.DoesNotContain("diverged", result.StdOut);
    }

    [Fact]
    public void ExitInAScriptBecomesTheExitCode()
    {
        var script = WriteScript("'working'\nexit 7\n'never'");

        var result = ShellProcess.Run("-File", script);

        Assert.Equal(7, result.ExitCode);
        Assert.DoesNotContain("never", result.StdOut);
    }

    [Fact]
    public void ScriptThatDoesNotParseExitsOneNamingTheLine()
    {
        var script = WriteScript("'fine'\n'unterminated");

        var result = ShellProcess.Run("-File", script);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{script}:2", result.StdErr);
    }

    [Theory]
    [InlineData]
    [InlineData("-NoSuchSwitch")]
    [InlineData("-Command")]
    public void BadUsageExitsTwoWithUsage(params string[] arguments)
    {
        var result = ShellProcess.Run(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage:", result.StdErr);
    }

    [Fact]
    public void HelpPrintsUsageAndSucceeds()
    {
        var result = ShellProcess.Run("-Help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut);
    }

    [Fact]
    public void MissingModuleExitsThreeNamingThePathTried()
    {
        var result = ShellProcess.Run("-Module", "/nonexistent/LossLandscape", "-Command", "1");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("/nonexistent/LossLandscape", result.StdErr);
        Assert.Contains("-Module", result.StdErr);
    }

    [Fact]
    public void ProgressGoesToStderrOnly()
    {
        var script = WriteScript("""
            foreach ($epoch in 1..3) { Write-Progress -Activity Training -Status "Epoch $epoch/3" -PercentComplete ($epoch * 33) }
            Write-Progress -Activity Training -Completed
            'result'
            """);

        var result = ShellProcess.Run("-File", script);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("result", result.StdOut.Trim());
        Assert.Contains("[Training] Epoch 1/3 (33%)", result.StdErr);
        Assert.Contains("[Training] Epoch 3/3 · done", result.StdErr);
    }

    [Fact]
    public void WarningsVerboseAndErrorsGoToStderrAndHostOutputToStdout()
    {
        var script = WriteScript("""
            Write-Warning 'mind the learning rate'
            Write-Verbose 'quiet by default'
            Write-Verbose 'asked for' -Verbose
            Write-Error 'one bad batch'
            Write-Host 'to the console'
            """);

        var result = ShellProcess.Run("-File", script);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("to the console", result.StdOut.Trim());
        Assert.Contains("WARNING: mind the learning rate", result.StdErr);
        Assert.Contains("VERBOSE: asked for", result.StdErr);
        Assert.DoesNotContain("quiet by default", result.StdErr);
        Assert.Contains("one bad batch", result.StdErr);
        Assert.Contains("WriteErrorException", result.StdErr);
    }

    [Fact]
    public void CommandWhoseLastPipelineFailedExitsOne()
    {
        var result = ShellProcess.Run("-Command", "Write-Error 'nope'");

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public void TheLossLandscapeModuleIsImported()
    {
        var result = ShellProcess.Run("-Command", "Get-Module LossLandscape | ForEach-Object { \"$($_.Name) $($_.Version)\" }");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("LossLandscape 0.1.0", result.StdOut.Trim());
    }

    private string WriteScript(string text)
    {
        var path = Path.Combine(_scripts.FullName, $"script{Guid.NewGuid():N}.ps1");
        File.WriteAllText(path, text);
        return path;
    }
}
