using System.Collections;
using System.Diagnostics;
using System.Reflection;

namespace LossLandscape.PowerShell.Tests;

/// <summary>The help built from docs/help, as Get-Help shows it in the real engine.</summary>
public sealed class HelpTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    private static string HelpFolder => Path.Combine(ModuleRunspace.RepoRoot, "docs", "help");

    public static TheoryData<string> Cmdlets() => [.. RepositoryTests.DeclaredCmdlets()];

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void GetHelpShowsSynopsisDescriptionEveryParameterAndExamples(string name)
    {
        var help = (Hashtable)shell.Invoke("""
            $help = Get-Help -Name $name -Full
            @{
                Synopsis = $help.Synopsis
                Description = @($help.description | ForEach-Object { $_.Text }) -join ' '
                Parameters = @($help.parameters.parameter | Where-Object { $_ } | ForEach-Object { $_.name })
                Examples = @($help.examples.example | ForEach-Object { $_.code })
                Expected = @((Get-Command $name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters })
            }
            """, new Dictionary<string, object?> { ["name"] = name }).ShouldSucceed().Output.Single().BaseObject;

        // Without a help file Get-Help makes a synopsis of the syntax; ours is the markdown's sentence.
        Assert.Equal(MarkdownSynopsis(name), (string)help["Synopsis"]!);
        Assert.True(((string)help["Description"]!).Length > 40, $"{name}: description '{help["Description"]}'");
        Assert.Equal(Strings(help["Expected"]).Order(), Strings(help["Parameters"]).Order());
        var examples = Strings(help["Examples"]);
        Assert.True(examples.Length >= 2, $"{name} has {examples.Length} example(s).");
        Assert.All(examples, code => Assert.Contains("-", code));
    }

    [Fact]
    public void EveryCmdletHasAHelpFileAndEveryHelpFileACmdlet()
    {
        var exported = shell.Invoke("(Get-Module LossLandscape).ExportedCmdlets.Keys").ShouldSucceed().Output.Select(o => o.BaseObject.ToString()!).Order();
        var files = Directory.GetFiles(HelpFolder, "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !n!.StartsWith("about_", StringComparison.Ordinal))
            .Order();
        Assert.Equal(exported, files);
        Assert.True(File.Exists(Path.Combine(HelpFolder, "about_LossLandscape.md")));
    }

    [Fact]
    public void AboutTopicIsFound()
    {
        var text = string.Join("\n", shell.Invoke("Get-Help about_LossLandscape | ForEach-Object { \"$_\" }").ShouldSucceed().Output.Select(o => o.ToString()));

        Assert.Contains("about_LossLandscape", text);
        foreach (var section in new[] { "THE METHOD IN BRIEF", "THE BATCHNORM AND BIAS POLICY", "FILE FORMATS", "AXIS CONVENTION" })
            Assert.Contains(section, text);
        Assert.Contains("f(α, β) = L(θ* + αδ + βη)", text);
    }

    [Fact]
    public void HelpFileShipsInTheModuleLayout()
    {
        var maml = Path.Combine(ModuleRunspace.ModuleDirectory, "en-US", "LossLandscape.PowerShell.dll-Help.xml");
        var document = System.Xml.Linq.XDocument.Load(maml);
        var names = document.Descendants(System.Xml.Linq.XName.Get("name", "http://schemas.microsoft.com/maml/dev/command/2004/10")).Select(e => e.Value).Order();
        Assert.Equal(RepositoryTests.DeclaredCmdlets(), names);
    }

    [Fact]
    public void BuildFailsOnAnUndocumentedParameterOrTooFewExamples()
    {
        using var folder = new TempDirectory();
        var docs = Directory.CreateDirectory(Path.Combine(folder.Path, "help")).FullName;
        foreach (var file in Directory.GetFiles(HelpFolder)) File.Copy(file, Path.Combine(docs, Path.GetFileName(file)));
        var surface = Path.Combine(docs, "Get-LossSurface.md");
        File.WriteAllText(surface, File.ReadAllText(surface).Replace("### -Seed\n", "### Not a parameter\n", StringComparison.Ordinal));
        var model = Path.Combine(docs, "Get-LandscapeModel.md");
        File.WriteAllText(model, File.ReadAllText(model).Replace("### Example 2:", "Example 2:", StringComparison.Ordinal));

        var (exitCode, output) = RunHelpBuilder(docs, Path.Combine(folder.Path, "en-US"));

        Assert.Equal(1, exitCode);
        Assert.Contains("-Seed is not documented", output);
        Assert.Contains("Get-LandscapeModel.md: error LLHELP: 1 example(s)", output);
        Assert.False(File.Exists(Path.Combine(folder.Path, "en-US", "LossLandscape.PowerShell.dll-Help.xml")));
    }

    private static (int ExitCode, string Output) RunHelpBuilder(string docs, string output)
    {
        var builder = typeof(HelpTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LossLandscapeHelpBuilder").Value!;
        var start = new ProcessStartInfo("dotnet", [builder, ModuleRunspace.ManifestPath, docs, output]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, text);
    }

    private static string MarkdownSynopsis(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(HelpFolder, name + ".md"));
        return lines[Array.IndexOf(lines, "## SYNOPSIS") + 1];
    }

    private static string[] Strings(object? value) => value switch
    {
        null => [],
        object[] items => items.Select(i => i?.ToString() ?? "").ToArray(),
        _ => [value.ToString()!],
    };
}
