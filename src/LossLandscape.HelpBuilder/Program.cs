using System.Management.Automation;
using System.Management.Automation.Runspaces;
using LossLandscape.HelpBuilder;

// Usage: LossLandscape.HelpBuilder <module manifest> <docs/help folder> <output en-US folder>
// Imports the built module into a PowerShell engine, checks docs/help against its cmdlets and
// writes <assembly>-Help.xml and about_*.help.txt. Problems are printed as MSBuild errors.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: LossLandscape.HelpBuilder <module.psd1> <docs/help> <output en-US folder>");
    return 2;
}
var (manifest, docsFolder, outputFolder) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]), Path.GetFullPath(args[2]));

var problems = new List<string>();
void Problem(string file, string message) => problems.Add($"{file}: error LLHELP: {message}");

var cmdlets = LoadCmdlets(manifest);
var docs = Directory.GetFiles(docsFolder, "*.md")
    .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
    .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase);

foreach (var name in docs.Keys.Where(n => !cmdlets.ContainsKey(n)).Order())
    Problem(docs[name], $"documents {name}, which the module does not export.");

Directory.CreateDirectory(outputFolder);
var assemblyName = cmdlets.Values.Select(c => Path.GetFileName(c.ImplementingType.Assembly.Location)).Distinct().Single();
var mamlPath = Path.Combine(outputFolder, $"{assemblyName}-Help.xml");
var maml = new MemoryStream();
using (var writer = new MamlWriter(maml))
{
    foreach (var cmdlet in cmdlets.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
    {
        if (!docs.TryGetValue(cmdlet.Name, out var file))
        {
            Problem(Path.Combine(docsFolder, cmdlet.Name + ".md"), $"{cmdlet.Name} has no help file: write docs/help/{cmdlet.Name}.md.");
            continue;
        }
        var doc = HelpMarkdown.ReadCommand(file);
        var parameters = DocumentedParameters(cmdlet);
        var known = problems.Count;
        Check(cmdlet, doc, parameters);
        // A file with problems fails the build anyway; the writer needs complete text.
        if (problems.Count == known) writer.Write(cmdlet, doc, parameters);
    }
}

foreach (var about in Directory.GetFiles(docsFolder, "about_*.md"))
{
    var text = HelpMarkdown.RenderAboutTopic(about);
    File.WriteAllText(Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(about) + ".help.txt"), text);
}

if (problems.Count > 0)
{
    foreach (var problem in problems) Console.WriteLine(problem);
    return 1;
}
File.WriteAllBytes(mamlPath, maml.ToArray());
Console.WriteLine($"Help for {cmdlets.Count} cmdlets written to {mamlPath}.");
return 0;

void Check(CmdletInfo cmdlet, CommandDoc doc, IReadOnlyList<ParameterMetadata> parameters)
{
    var file = doc.File;
    if (doc.Title != cmdlet.Name) Problem(file, $"the title is '# {doc.Title}'; it must be '# {cmdlet.Name}'.");
    if (doc.Synopsis.Count == 0) Problem(file, "## SYNOPSIS is missing or empty.");
    if (doc.Description.Count == 0) Problem(file, "## DESCRIPTION is missing or empty.");
    if (doc.Examples.Count < 2) Problem(file, $"{doc.Examples.Count} example(s) under ## EXAMPLES; at least 2 are needed.");
    foreach (var example in doc.Examples.Where(e => string.IsNullOrWhiteSpace(e.Code)))
        Problem(file, $"'{example.Title}' has no ```powershell code block.");
    if (doc.Outputs.Count == 0) Problem(file, "## OUTPUTS is missing or empty.");
    foreach (var output in cmdlet.OutputType.Where(t => doc.Outputs.All(o => o.Name != t.Name)))
        Problem(file, $"## OUTPUTS does not name {output.Name}, the cmdlet's OutputType.");
    if (doc.Links.Count == 0) Problem(file, "## RELATED LINKS is missing or empty.");

    foreach (var parameter in parameters.Where(p => !doc.Parameters.ContainsKey(p.Name) && !IsRiskMitigation(p.Name)))
        Problem(file, $"-{parameter.Name} is not documented: add '### -{parameter.Name}' under ## PARAMETERS.");
    foreach (var documented in doc.Parameters.Keys.Where(n => parameters.All(p => !p.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        Problem(file, $"documents -{documented}, which {cmdlet.Name} does not have.");
}

static bool IsRiskMitigation(string name) => name is "WhatIf" or "Confirm";

/// <summary>The cmdlet's own parameters in declaration order, WhatIf/Confirm included, the common parameters left out.</summary>
static List<ParameterMetadata> DocumentedParameters(CmdletInfo cmdlet)
{
    var declared = cmdlet.ImplementingType.GetProperties().Select(p => p.Name).ToList();
    return cmdlet.Parameters.Values
        .Where(p => !Cmdlet.CommonParameters.Contains(p.Name))
        .OrderBy(p => declared.IndexOf(p.Name) is var i and >= 0 ? i : int.MaxValue)
        .ToList();
}

static Dictionary<string, CmdletInfo> LoadCmdlets(string manifest)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    using var shell = PowerShell.Create();
    shell.Runspace = runspace;
    shell.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("PassThru").AddParameter("ErrorAction", "Stop");
    var module = (PSModuleInfo)shell.Invoke().Single().BaseObject;
    return module.ExportedCmdlets.Values.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
}
