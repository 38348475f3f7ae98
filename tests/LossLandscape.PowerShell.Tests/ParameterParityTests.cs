using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// The evaluation parameters (checkpoint, data, split, subset, loss, batch, parameter scope,
/// BatchNorm, threads, device) mean the same in every cmdlet that evaluates a checkpoint, and the
/// surface parameters in both surface cmdlets: same names, types, defaults, validation, aliases
/// and pipeline binding.
/// </summary>
public sealed class ParameterParityTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>
{
    private static readonly string[] EvaluationParameters =
        ["Checkpoint", "Dataset", "Split", "MaxSamples", "SubsetSeed", "LossFunction", "BatchSize", "IgnoreBiasAndNorm", "Parameter", "FoldBatchNorm", "AllowNonFinite", "ThreadCount", "Device"];

    private static readonly string[] SurfaceParameters =
        ["Direction", "Dimensions", "Seed", "Normalization", "Orthogonalize", "Steps", "Range", "XRange", "XSteps", "YRange", "YSteps", "Metric", "LanczosTolerance"];

    [Fact]
    public void EvaluationParametersAreDeclaredAlikeInGetLossSurfaceStartLossSurfaceJobAndGetHessianSpectrum() =>
        AssertAlike(["Get-LossSurface", "Start-LossSurfaceJob", "Get-HessianSpectrum"], EvaluationParameters);

    [Fact]
    public void ParameterIsDeclaredAlikeInEveryCommandThatTakesASubset() =>
        AssertAlike(["Get-LossSurface", "Start-LossSurfaceJob", "Get-HessianSpectrum", "Get-LandscapeSharpness", "New-LandscapeDirection"], ["Parameter"]);

    [Fact]
    public void SurfaceParametersAreDeclaredAlikeInGetLossSurfaceAndStartLossSurfaceJob() =>
        AssertAlike(["Get-LossSurface", "Start-LossSurfaceJob"], SurfaceParameters);

    [Fact]
    public void TheComparisonSeesDifferencesInDefaultsAndValidation()
    {
        // Hessian's Lanczos tolerance is its own (1e-6) and the surface metric's the paper's (1e-2): the description must tell them apart.
        var surface = Describe(CmdletType("Get-LossSurface"), "LanczosTolerance");
        var hessian = Describe(CmdletType("Get-HessianSpectrum"), "LanczosTolerance");
        Assert.NotEqual(surface, hessian);
        Assert.Contains("default 0.01", surface);
        Assert.Contains("ValidateRangeAttribute(1E-12..0.5)", surface);
        Assert.Contains("Alias(Tolerance)", surface);
    }

    private void AssertAlike(string[] cmdlets, string[] parameters)
    {
        var types = cmdlets.ToDictionary(c => c, CmdletType);
        foreach (var parameter in parameters)
        {
            var descriptions = cmdlets.Select(c => (Cmdlet: c, Text: Describe(types[c], parameter))).ToArray();
            foreach (var (cmdlet, text) in descriptions.Skip(1))
                Assert.True(text == descriptions[0].Text, $"-{parameter} of {cmdlet}: {text}\n  differs from {descriptions[0].Cmdlet}'s: {descriptions[0].Text}");
        }
    }

    private Type CmdletType(string name) =>
        (Type)shell.Invoke("(Get-Command -Name $name -Module LossLandscape).ImplementingType", new Dictionary<string, object?> { ["name"] = name }).ShouldSucceed().Output.Single().BaseObject;

    /// <summary>A parameter's type, default and every attribute with its settings, as one line.</summary>
    private static string Describe(Type cmdlet, string parameter)
    {
        var property = cmdlet.GetProperty(parameter, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new Xunit.Sdk.XunitException($"{cmdlet.Name} has no -{parameter}.");
        var instance = Activator.CreateInstance(cmdlet)!;
        var attributes = property.GetCustomAttributes(inherit: true).Select(DescribeAttribute).Order(StringComparer.Ordinal);
        return $"{property.PropertyType} default {Value(property.GetValue(instance))}; {string.Join("; ", attributes)}";
    }

    private static string DescribeAttribute(object attribute) => attribute switch
    {
        ParameterAttribute p => $"Parameter(set {p.ParameterSetName}, mandatory {p.Mandatory}, position {p.Position}, pipeline {p.ValueFromPipeline}, by property name {p.ValueFromPipelineByPropertyName})",
        ValidateRangeAttribute r => $"ValidateRangeAttribute({Value(r.MinRange)}..{Value(r.MaxRange)})",
        ValidateCountAttribute c => $"ValidateCountAttribute({c.MinLength}..{c.MaxLength})",
        AliasAttribute a => $"Alias({string.Join(",", a.AliasNames)})",
        ArgumentCompleterAttribute a => $"ArgumentCompleter({a.Type?.Name})",
        _ => attribute.GetType().Name,
    };

    private static string Value(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        SwitchParameter s => s.IsPresent.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Value)) + "]",
        _ => value.ToString() ?? "",
    };
}
