using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Models;
using LossLandscape.PowerShell.Completers;
using LossLandscape.PowerShell.Infrastructure;
using LossLandscape.PowerShell.Types;

namespace LossLandscape.PowerShell.Commands;

/// <summary>Lists the architectures of the model zoo with their default input and parameter count.</summary>
[Cmdlet(VerbsCommon.Get, "LandscapeModel")]
[OutputType(typeof(LandscapeModelInfo))]
public sealed class GetLandscapeModelCommand : LandscapeCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ArchitectureCompleter))]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    protected override void BeginProcessing() => EnsureRuntime();

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = ModelZoo.Architectures.Where(pattern.IsMatch).ToArray();
            if (matches.Length == 0)
            {
                WriteError(new ErrorRecord(new ArgumentException($"No architecture matches '{name}'. Known: {string.Join(", ", ModelZoo.Architectures)}."), ErrorIds.ModelUnknown, ErrorCategory.ObjectNotFound, name));
                continue;
            }
            foreach (var architecture in matches)
            {
                var spec = ModelZoo.DefaultSpec(architecture);
                var layout = ParameterLayout.Of(Runtime, spec);
                WriteObject(new LandscapeModelInfo(spec, layout.ParameterLength, layout.StateEntries.Count));
            }
        }
    }
}
