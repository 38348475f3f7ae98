using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LossLandscape.Core.Models;

namespace LossLandscape.PowerShell.Completers;

public sealed class ArchitectureCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        NameCompletion.Complete(ModelZoo.Architectures, wordToComplete);
}
