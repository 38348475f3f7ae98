namespace LossLandscape.PowerShell.Tests;

/// <summary>Tests that change process-wide settings, or compare trainings byte for byte, run alone, never beside another test class.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSettings
{
    public const string Name = "Process-wide settings";
}
