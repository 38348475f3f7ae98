using System.Text.Json;
using LossLandscape.Core.Alignment;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Connectivity;
using LossLandscape.Core.Data;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;
using Xunit.Abstractions;

namespace LossLandscape.Core.Tests.Alignment;

/// <summary>
/// Against a second implementation of weight matching written from the paper with PyTorch 1.13 and
/// scipy's linear_sum_assignment (Fixtures/Alignment/make_alignment_reference.py, output committed):
/// two Mlps trained with seeds 1 and 2 (exported .pt files), seed 7, and the loss barrier on the
/// straight line before and after alignment over the first 256 digits.
/// </summary>
public sealed class AlignmentReferenceTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Alignment");

    [Fact]
    public void ThePermutationsAreScipysAndTheBarriersAgreeBeforeAndAfterAlignment()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "alignment_reference.json")));
        var reference = document.RootElement;
        var runtime = LandscapeRuntime.Load();
        var spec = ModelZoo.DefaultSpec("Mlp");
        var a = CheckpointImporter.Read(runtime, Path.Combine(Folder, "mlp_seed1.pt"), spec);
        var b = CheckpointImporter.Read(runtime, Path.Combine(Folder, "mlp_seed2.pt"), spec);

        var aligned = CheckpointAlignment.Align(runtime, new AlignmentSpec { Reference = a, Target = b, Seed = reference.GetProperty("seed").GetInt64() });

        var expected = reference.GetProperty("permutations").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        Assert.Equal(reference.GetProperty("groups").EnumerateArray().Select(g => g.GetString()), aligned.Matching.Permutations.Select(p => p.Group));
        Assert.Equal(expected, aligned.Matching.Permutations.Select(p => p.Permutation));
        Assert.Equal(reference.GetProperty("sweeps").GetInt32(), aligned.Matching.Iterations);
        Assert.True(aligned.Matching.Converged);

        var pixels = reference.GetProperty("pixels").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetInt32() / 16f)).ToArray();
        var labels = reference.GetProperty("labels").EnumerateArray().Select(v => (long)v.GetInt32()).ToArray();
        using var data = new PreloadedDataset(runtime, new DatasetReference("Digits", DatasetSplit.Train), new DatasetArrays(pixels, labels, 1, 8, 8, 10));
        var stateA = CheckpointAlignment.ReadState(runtime, a);
        var t = SurfaceGrid.Linspace(0, 1, reference.GetProperty("steps").GetInt32());
        foreach (var (target, key) in new[] { (CheckpointAlignment.ReadState(runtime, b), "before"), (aligned.AlignedState, "after") })
        {
            using var model = CheckpointStore.LoadModel(runtime, a);
            var losses = t.Select(s =>
            {
                CheckpointAlignment.WriteState(model, stateA.ToDictionary(p => p.Key, p => p.Value.Select((w, i) => w + (float)s * (target[p.Key][i] - w)).ToArray()));
                return Evaluation.Evaluate(model, data, reference.GetProperty("batch_size").GetInt32()).Loss;
            }).ToArray();
            var barrier = PathBarrier.AboveChord(t, losses);
            var expectedBarrier = reference.GetProperty("barrier_" + key).GetDouble();
            output.WriteLine($"{key}: barrier {barrier.Height:R} at t = {barrier.T}, reference {expectedBarrier:R} at t = {reference.GetProperty("barrier_t_" + key).GetDouble()}");
            Assert.Equal(expectedBarrier, barrier.Height, 1e-5 * expectedBarrier);
            Assert.Equal(reference.GetProperty("barrier_t_" + key).GetDouble(), barrier.T);
            var expectedLosses = reference.GetProperty("loss_" + key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (var i = 0; i < t.Length; i++) Assert.Equal(expectedLosses[i], losses[i], 1e-5 * expectedLosses[i]);
        }
    }
}
