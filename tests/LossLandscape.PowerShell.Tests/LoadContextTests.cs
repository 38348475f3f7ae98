namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// The module's assemblies load in its own AssemblyLoadContext (LossLandscape.Loader), not in the host's
/// default one. .ci/package.ps1 shows the point of it in pwsh: other FSharp.Core and SkiaSharp versions
/// loaded first, then the installed module running beside them.
/// </summary>
public sealed class LoadContextTests
{
    private const string ContextOfTheCmdlets =
        "$context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command -Name Get-LossSurface).ImplementingType.Assembly)";

    [Fact]
    public void TheCmdletsAndTheirDependenciesLoadInTheModulesOwnContext()
    {
        using var shell = new ModuleRunspace();
        // Listing a model's parameters loads TorchSharp.
        var result = shell.Invoke($$"""
            $null = Get-LandscapeModel -Name DigitsCnn
            {{ContextOfTheCmdlets}}
            $context.Name
            ($context.Assemblies | ForEach-Object { $_.GetName().Name }) -join ','
            ([System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | ForEach-Object { $_.GetName().Name }) -join ','
            """).ShouldSucceed();

        var name = (string)result.Output[0].BaseObject;
        Assert.Equal($"LossLandscape ({Path.Combine(ModuleRunspace.ModuleDirectory, "bin")})", name);
        var own = ((string)result.Output[1].BaseObject).Split(',');
        Assert.Contains("LossLandscape.PowerShell", own);
        Assert.Contains("LossLandscape.Core", own);
        Assert.Contains("TorchSharp", own);
        var shared = ((string)result.Output[2].BaseObject).Split(',');
        Assert.Contains("LossLandscape.Loader", shared);
        Assert.DoesNotContain("LossLandscape.PowerShell", shared);
        Assert.DoesNotContain("LossLandscape.Core", shared);
        Assert.DoesNotContain("TorchSharp", shared);
    }

    [Fact]
    public void RemoveModuleThenImportModuleGivesTheSameContextAndWorkingCmdlets()
    {
        using var shell = new ModuleRunspace();
        var before = shell.Invoke($"{ContextOfTheCmdlets}; $context.GetHashCode()").ShouldSucceed();

        var after = shell.Invoke($"""
            Remove-Module LossLandscape
            Import-Module $manifest -ErrorAction Stop
            (Get-Module LossLandscape).ExportedCmdlets.Count
            {ContextOfTheCmdlets}; $context.GetHashCode()
            (Get-LandscapeModel -Name DigitsCnn).Name
            """, new Dictionary<string, object?> { ["manifest"] = ModuleRunspace.ManifestPath }).ShouldSucceed();

        Assert.Equal(RepositoryTests.DeclaredCmdlets().Count(), (int)after.Output[0].BaseObject);
        Assert.Equal(before.Output[0].BaseObject, after.Output[1].BaseObject);
        Assert.Equal("DigitsCnn", after.Output[2].BaseObject);
    }
}
