namespace LossLandscape.PowerShell.Tests;

/// <summary>Tests that change process-wide settings run alone, never beside another test class.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSettings
{
    public const string Name = "Process-wide settings";
}
