namespace LossLandscape.Core.Training;

/// <summary>
/// Stop a run once the test accuracy is at least <paramref name="TestAccuracy"/> percent on
/// <paramref name="Consecutive"/> consecutive evaluations (one per checkpoint), as Power et al. stop a grokking run.
/// </summary>
public sealed record EarlyStop(double TestAccuracy, int Consecutive = 2)
{
    /// <summary>The index of the first evaluation at which the rule holds, or null.</summary>
    public int? FirstStop(IEnumerable<double?> testAccuracies)
    {
        var run = 0;
        var index = 0;
        foreach (var accuracy in testAccuracies)
        {
            run = accuracy >= TestAccuracy ? run + 1 : 0;
            if (run >= Consecutive) return index;
            index++;
        }
        return null;
    }
}
