using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace LossLandscape.PowerShell.Tests;

/// <summary>The real PowerShell engine with the built module imported, shared by a test class.</summary>
public sealed class ModuleRunspace : IDisposable
{
    public ModuleRunspace()
    {
        var state = InitialSessionState.CreateDefault2();
        Runspace = RunspaceFactory.CreateRunspace(state);
        Runspace.Open();
        var import = Invoke($"Import-Module '{ManifestPath}' -ErrorAction Stop");
        if (import.Errors.Count > 0) throw new InvalidOperationException($"Import-Module failed: {import.Errors[0]}");
    }

    public Runspace Runspace { get; }

    public static string RepoRoot => Metadata("LossLandscapeRepoRoot");

    public static string ModuleDirectory => Metadata("LossLandscapeModuleDirectory");

    public static string ManifestPath => Path.Combine(ModuleDirectory, "LossLandscape.psd1");

    /// <summary>
    /// A PowerShell expression for the type <paramref name="fullName"/> of the module's assembly <paramref name="assembly"/>.
    /// The module's assemblies load in its own AssemblyLoadContext, and PowerShell's type literals
    /// ([LossLandscape.…]) only see the default context, so a script reaches them through a cmdlet's type.
    /// </summary>
    public static string ModuleType(string assembly, string fullName) =>
        "([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command -Name Import-Checkpoint -Module LossLandscape).ImplementingType.Assembly)" +
        $".LoadFromAssemblyName([System.Reflection.AssemblyName]::new('{assembly}')).GetType('{fullName}', $true))";

    public Result Invoke(string script, IDictionary<string, object?>? variables = null)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = Runspace;
        if (variables is not null)
        {
            foreach (var (name, value) in variables) Runspace.SessionStateProxy.SetVariable(name, value);
        }
        shell.AddScript(script);
        Collection<PSObject> output;
        Exception? terminating = null;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException e)
        {
            output = [];
            terminating = e;
        }
        return new Result(output, [.. shell.Streams.Error], [.. shell.Streams.Progress], [.. shell.Streams.Verbose.Select(v => v.Message)], [.. shell.Streams.Warning.Select(w => w.Message)], terminating);
    }

    public void Dispose() => Runspace.Dispose();

    private static string Metadata(string key) =>
        typeof(ModuleRunspace).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");

    public sealed record Result(
        Collection<PSObject> Output,
        IReadOnlyList<ErrorRecord> Errors,
        IReadOnlyList<ProgressRecord> Progress,
        IReadOnlyList<string> Verbose,
        IReadOnlyList<string> Warnings,
        Exception? Terminating)
    {
        public Result ShouldSucceed()
        {
            if (Terminating is not null) throw new Xunit.Sdk.XunitException($"Terminating error: {Terminating}");
            if (Errors.Count > 0) throw new Xunit.Sdk.XunitException($"Errors: {string.Join(Environment.NewLine, Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}");
            return this;
        }
    }
}
