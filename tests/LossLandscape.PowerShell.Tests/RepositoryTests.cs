using System.Diagnostics;
using System.Management.Automation.Language;

namespace LossLandscape.PowerShell.Tests;

public sealed class RepositoryTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public void PesterFilesAndScriptsParse()
    {
        var files = Directory.GetFiles(Path.Combine(ModuleRunspace.RepoRoot, "tests"), "*.ps1", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(ModuleRunspace.RepoRoot, "examples"), "*.ps1", SearchOption.AllDirectories))
            .Append(Path.Combine(ModuleRunspace.RepoRoot, "build.ps1"))
            .Append(Path.Combine(ModuleRunspace.RepoRoot, ".ci", "pester.ps1"))
            .ToArray();
        Assert.Contains(files, f => f.EndsWith(Path.Combine("Pester", "Workflows.Tests.ps1"), StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(Path.Combine("Pester", "Common.ps1"), StringComparison.Ordinal));
        foreach (var file in files)
        {
            Parser.ParseFile(file, out _, out var errors);
            Assert.True(errors.Length == 0, $"{file}: {string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"))}");
        }
    }

    [Fact]
    public void ManifestIsValidAndDrivesTheAssemblyVersion()
    {
        var result = shell.Invoke("Test-ModuleManifest -Path $path", new Dictionary<string, object?> { ["path"] = ModuleRunspace.ManifestPath }).ShouldSucceed();
        var module = Assert.Single(result.Output);
        var version = (Version)module.Properties["Version"].Value;

        var assembly = Path.Combine(ModuleRunspace.ModuleDirectory, "bin", "LossLandscape.PowerShell.dll");
        Assert.Equal($"{version}.0", FileVersionInfo.GetVersionInfo(assembly).FileVersion);
        Assert.EndsWith(Path.Combine("LossLandscape", version.ToString()) + Path.DirectorySeparatorChar, ModuleRunspace.ModuleDirectory);

        var exported = shell.Invoke("(Get-Module LossLandscape).ExportedCmdlets.Keys").ShouldSucceed().Output.Select(o => o.BaseObject.ToString()).Order();
        Assert.Equal(DeclaredCmdlets(), exported);
        Assert.Contains("Invoke-LandscapeTraining", exported);
        Assert.Contains("Import-Checkpoint", exported);
    }

    internal static IEnumerable<string> DeclaredCmdlets()
    {
        var manifest = Parser.ParseFile(ModuleRunspace.ManifestPath, out _, out _);
        var table = (HashtableAst)manifest.Find(ast => ast is HashtableAst, searchNestedScriptBlocks: false);
        var entry = table.KeyValuePairs.Single(pair => pair.Item1 is StringConstantExpressionAst { Value: "CmdletsToExport" });
        return entry.Item2.FindAll(ast => ast is StringConstantExpressionAst, searchNestedScriptBlocks: false)
            .Select(ast => ((StringConstantExpressionAst)ast).Value)
            .Order();
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutputType()
    {
        var result = shell.Invoke("Get-Command -Module LossLandscape | ForEach-Object { '{0}={1}' -f $_.Name, $_.OutputType.Count }").ShouldSucceed();
        Assert.NotEmpty(result.Output);
        Assert.All(result.Output.Select(o => o.BaseObject.ToString()!), line => Assert.EndsWith("=1", line));
    }

    [Fact]
    public void BuildScriptBuildsTheModuleLayoutThroughTheHostedEngine()
    {
        // Apart from the live bin/, obj/ and output/: other test hosts run on those files (hard links
        // of one another), and a compile rewriting them in place would crash those hosts (SIGBUS).
        var artifacts = Path.Combine(ModuleRunspace.RepoRoot, "output", "build-script-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var script = Path.Combine(ModuleRunspace.RepoRoot, "build.ps1");
            var result = shell.Invoke("& $script -Task Build -ArtifactsPath $artifacts 2>&1 | ForEach-Object { \"$_\" }", new Dictionary<string, object?> { ["script"] = script, ["artifacts"] = artifacts });

            var log = string.Join(Environment.NewLine, result.Output.Select(o => o.ToString()));
            Assert.True(result.Terminating is null, $"{result.Terminating?.Message}{Environment.NewLine}{log}");
            Assert.Empty(result.Errors);
            var moduleDirectory = Path.Combine(artifacts, "module", "LossLandscape", Path.GetFileName(ModuleRunspace.ModuleDirectory.TrimEnd('/')));
            Assert.Contains("LossLandscape module laid out in " + moduleDirectory, log);
            Assert.True(File.Exists(Path.Combine(moduleDirectory, "LossLandscape.Format.ps1xml")));
            Assert.True(File.Exists(Path.Combine(moduleDirectory, "bin", "runtimes", "linux-x64", "native", "libtorch_cpu.so")));
            Assert.True(File.Exists(Path.Combine(moduleDirectory, "en-US", "LossLandscape.PowerShell.dll-Help.xml")));
        }
        finally
        {
            if (Directory.Exists(artifacts)) Directory.Delete(artifacts, recursive: true);
        }
    }

    [Theory]
    [InlineData("cuda-linux", "libtorch-cuda-12.8-linux-x64")]
    [InlineData("cuda-windows", "libtorch-cuda-12.8-win-x64")]
    [InlineData("cpu-windows", "libtorch-cpu-win-x64")]
    [InlineData("cpu-linux", "libtorch-cpu-linux-x64")]
    public void TorchBackendPropertySelectsExactlyOneLibTorchPackage(string backend, string package)
    {
        var project = Path.Combine(ModuleRunspace.RepoRoot, "src", "LossLandscape.Core", "LossLandscape.Core.csproj");
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-getItem:PackageReference", $"-p:TorchBackend={backend}", "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        var libtorch = System.Text.RegularExpressions.Regex.Matches(output, "\"Identity\":\\s*\"(libtorch[^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal([package], libtorch);
        Assert.Contains("\"TorchSharp\"", output);
    }
}
