using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace LossLandscape.Shell;

/// <summary>Adds the functions of StandInCommands.ps1 for every cmdlet the engine lacks (see that file for why).</summary>
internal static class StandInCommands
{
    public static void AddMissingTo(InitialSessionState sessionState)
    {
        using var stream = typeof(StandInCommands).Assembly.GetManifestResourceStream("StandInCommands.ps1")
            ?? throw new InvalidOperationException("StandInCommands.ps1 is not embedded in the shell.");
        using var reader = new StreamReader(stream);
        var script = Parser.ParseInput(reader.ReadToEnd(), out _, out var errors);
        if (errors.Length > 0)
        {
            throw new InvalidOperationException($"StandInCommands.ps1 does not parse: {errors[0].Message}");
        }

        foreach (var function in script.EndBlock.Statements.OfType<FunctionDefinitionAst>())
        {
            if (sessionState.Commands[function.Name].Count == 0)
            {
                // The entry wants the function's body without its braces.
                var body = function.Body.Extent.Text;
                sessionState.Commands.Add(new SessionStateFunctionEntry(function.Name, body[1..^1]));
            }
        }
    }
}
