using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Specs;

namespace LossLandscape.Core.Tests.Checkpoints;

public sealed class ParameterSubsetTests
{
    private static readonly string[] Names = ["conv1.weight", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer3.2.conv2.weight", "linear.weight", "linear.bias"];

    private static string[] Chosen(bool weightsOnly, params string[] patterns) =>
        ParameterSubset.Choose(Names, n => n, n => n.EndsWith(".weight", StringComparison.Ordinal) && !n.Contains("bn", StringComparison.Ordinal), weightsOnly, new ParameterSubset(patterns)).ToArray();

    [Fact]
    public void WildcardsMatchWholeNamesWithoutRegardToCaseAndKeepTheModelOrder()
    {
        Assert.Equal(["layer1.0.conv1.weight", "layer1.0.bn1.weight"], Chosen(false, "layer1.*"));
        Assert.Equal(["layer3.2.conv2.weight"], Chosen(false, "*.conv2.weight"));
        Assert.Equal(["conv1.weight", "linear.bias"], Chosen(false, "linear.bias", "CONV1.*"));
        Assert.Equal(["conv1.weight", "layer1.0.conv1.weight", "layer3.2.conv2.weight"], Chosen(false, "*conv?.weight"));
        // weightsOnly still leaves out BN γ inside the subset.
        Assert.Equal(["layer1.0.conv1.weight"], Chosen(true, "layer1.*"));
    }

    [Fact]
    public void APatternMatchingNothingOrASubsetEmptiedByWeightsOnlyIsAParameterProblem()
    {
        var unmatched = Assert.Throws<SpecException>(() => Chosen(false, "conv1.*", "layer2.*"));
        Assert.Equal(SpecProblem.Parameter, unmatched.Problem);
        Assert.Equal("layer2.*", unmatched.Value);
        // A dot is literal: 'conv1xweight' would match a regex 'conv1.weight' but not the pattern.
        Assert.Equal(SpecProblem.Parameter, Assert.Throws<SpecException>(() => ParameterSubset.Choose(["conv1xweight"], n => n, _ => true, false, new ParameterSubset(["conv1.weight"]))).Problem);
        Assert.Equal(SpecProblem.Parameter, Assert.Throws<SpecException>(() => Chosen(true, "linear.bias")).Problem);
        Assert.Throws<ArgumentException>(() => new ParameterSubset([]));
    }

    [Fact]
    public void SubsetsAreEqualByTheirPatternsAndSurviveJson()
    {
        var subset = new ParameterSubset(["layer3.*", "*.conv2.weight"]);
        Assert.Equal(new ParameterSubset(["layer3.*", "*.conv2.weight"]), subset);
        Assert.NotEqual(new ParameterSubset(["*.conv2.weight", "layer3.*"]), subset);
        var json = System.Text.Json.JsonSerializer.Serialize(new EvaluationSpecHolder(subset), CheckpointStore.JsonOptions);
        var back = System.Text.Json.JsonSerializer.Deserialize<EvaluationSpecHolder>(json, CheckpointStore.JsonOptions)!;
        Assert.Equal(subset, back.Parameters);
        Assert.True(back.Parameters!.Includes("layer3.0.conv1.weight"));
    }

    [Fact]
    public void AHostilePatternMatchesInLinearTimeAndOversizedSubsetsAreRefused()
    {
        // With a backtracking regex, 40 '*a' before a 'b' that never comes take exponential time on a 200-character name.
        var hostile = new ParameterSubset([string.Concat(Enumerable.Repeat("*a", 40)) + "b"]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(hostile.Includes(new string('a', 200)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
        Assert.True(new ParameterSubset([string.Concat(Enumerable.Repeat("*a", 40))]).Includes(new string('a', 200)));

        Assert.Throws<ArgumentException>(() => new ParameterSubset([new string('*', ParameterSubset.MaxPatternLength + 1)]));
        Assert.Throws<ArgumentException>(() => new ParameterSubset(Enumerable.Repeat("conv1.*", ParameterSubset.MaxPatterns + 1).ToArray()));
    }

    private sealed record EvaluationSpecHolder(ParameterSubset? Parameters);
}
