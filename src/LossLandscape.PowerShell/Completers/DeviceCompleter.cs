using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using LossLandscape.Core.Native;

namespace LossLandscape.PowerShell.Completers;

/// <summary>
/// Offers cpu, cuda and cuda:0, plus cuda:1… when libtorch is already loaded and reports more
/// devices. Completion never loads libtorch itself: a tab press should not wait for it.
/// </summary>
public sealed class DeviceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var cudaDevices = Math.Max(1, LandscapeRuntime.IfLoaded?.Report.CudaDeviceCount ?? 0);
        var names = new[] { ComputeDevice.Cpu.ToString(), "cuda" }
            .Concat(Enumerable.Range(0, cudaDevices).Select(index => $"cuda:{index}"));
        return NameCompletion.Complete(names, wordToComplete);
    }
}
