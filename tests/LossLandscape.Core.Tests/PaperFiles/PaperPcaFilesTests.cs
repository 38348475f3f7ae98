using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.PaperFiles;
using LossLandscape.Core.Trajectories;
using PureHDF;

namespace LossLandscape.Core.Tests.PaperFiles;

/// <summary>The paper code's PCA directions and projection files (setup_PCA_directions, project_trajectory).</summary>
public sealed class PaperPcaFilesTests : IDisposable
{
    private const string Sha = "feedface";
    private readonly string folder = Directory.CreateTempSubdirectory("LossLandscape.PaperPca.").FullName;
    private readonly ParameterLayout layout;

    public PaperPcaFilesTests()
    {
        LandscapeRuntime.Load();
        using var model = ModelZoo.Create(LandscapeRuntime.Load(), ModelZoo.DefaultSpec("Mlp"));
        layout = ParameterLayout.Of(model);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private float[] Component(int axis)
    {
        var order = layout.Parameters.ToList();
        return PaperFileFormulas.Expected(layout.Parameters, layout.ParameterLength, e => order.IndexOf(e), (i, k) => PaperFileFormulas.PcaValue(axis, i, k), zeroRankOne: true);
    }

    [Fact]
    public void GeneratedFilesReadWithTheirNumbers()
    {
        var content = PaperPcaFiles.Read(PaperFileFormulas.PathOf("mlp_pca_directions.h5"), PaperFileFormulas.PathOf("mlp_pca_directions.h5_proj_cos.h5"), layout, Sha);

        Assert.Equal(2, content.Components.Count);
        for (var axis = 0; axis < 2; axis++)
        {
            Assert.Equal(Component(axis), content.Components[axis].Parameters);
            Assert.Equal(DirectionKind.Pca, content.Components[axis].Recipe.Kind);
            Assert.Equal(axis, content.Components[axis].Recipe.Axis);
            Assert.True(content.Components[axis].Recipe.IgnoreBiasAndNorm);
            Assert.Equal(Sha, content.Components[axis].Recipe.CheckpointSha256);
        }
        Assert.Equal(PaperFileFormulas.PcaRatios, content.ExplainedVarianceRatio);
        Assert.Equal(PaperFileFormulas.PcaSingular, content.SingularValues);
        Assert.Equal(PaperFileFormulas.PcaExplainedVariance, content.ExplainedVariance);
        Assert.Equal(PaperFileFormulas.PcaX, content.X);
        Assert.Equal(PaperFileFormulas.PcaY, content.Y);
    }

    [Fact]
    public void WithoutAProjectionFileThereAreNoCoordinates()
    {
        var content = PaperPcaFiles.Read(PaperFileFormulas.PathOf("mlp_pca_directions.h5"), null, layout, Sha);

        Assert.Null(content.X);
        Assert.Null(content.Y);
        Assert.Equal(2, content.Components.Count);
    }

    [Fact]
    public void WriteThenReadGivesTheResultBack()
    {
        var result = Result();
        var directions = Path.Combine(folder, "directions.h5");
        var projection = Path.Combine(folder, "directions.h5_proj_cos.h5");

        PaperPcaFiles.Write(directions, projection, result, layout);
        var content = PaperPcaFiles.Read(directions, projection, layout, Sha);

        Assert.Equal(2, content.Components.Count);
        for (var axis = 0; axis < 2; axis++)
        {
            Assert.Equal(result.Components[axis].Parameters, content.Components[axis].Parameters);
            Assert.Equal(result.Components[axis].Sha256, content.Components[axis].Sha256);
            Assert.Equal(result.Components[axis].Recipe, content.Components[axis].Recipe);
        }
        Assert.Equal(result.ExplainedVarianceRatio, content.ExplainedVarianceRatio);
        Assert.Equal(result.SingularValues, content.SingularValues);
        Assert.Equal(PaperFileFormulas.PcaExplainedVariance, content.ExplainedVariance);
        Assert.Equal(result.X, content.X);
        Assert.Equal(result.Y, content.Y);
    }

    [Fact]
    public void WrittenFilesHaveThePaperLayout()
    {
        var directions = Path.Combine(folder, "directions.h5");
        var projection = Path.Combine(folder, "projection.h5");
        PaperPcaFiles.Write(directions, projection, Result(), layout);

        using (var file = H5File.OpenRead(directions))
        {
            Assert.Equal(["explained_variance_", "explained_variance_ratio_", "singular_values_", "xdirection", "ydirection"],
                file.Children().Select(c => c.Name).Order(StringComparer.Ordinal));
            foreach (var axis in new[] { "xdirection", "ydirection" })
            {
                var group = file.Group(axis);
                Assert.Equal(Enumerable.Range(0, layout.Parameters.Count).Select(i => i.ToString()), group.Children().Select(c => c.Name).OrderBy(int.Parse));
                for (var i = 0; i < layout.Parameters.Count; i++)
                {
                    var dataset = group.Dataset(i.ToString());
                    Assert.Equal(H5DataTypeClass.FloatingPoint, dataset.Type.Class);
                    Assert.Equal(4, dataset.Type.Size);
                    Assert.Equal(layout.Parameters[i].Shape.Select(s => (ulong)s), dataset.Space.Dimensions);
                }
            }
        }
        using (var file = H5File.OpenRead(projection))
        {
            Assert.Equal(["proj_xcoord", "proj_ycoord"], file.Children().Select(c => c.Name).Order(StringComparer.Ordinal));
            Assert.Equal(PaperFileFormulas.PcaX, file.Dataset("proj_xcoord").Read<double[]>());
        }
    }

    private TrajectoryPcaResult Result()
    {
        var metadata = new CheckpointMetadata { Model = ModelZoo.DefaultSpec("Mlp"), StateFile = "s.dat", StateSha256 = Sha };
        var checkpoints = Enumerable.Range(0, PaperFileFormulas.PcaX.Length)
            .Select(i => new CheckpointInfo($"{i}.dat", $"{i}.json", metadata, [], [], layout.ParameterLength)).ToArray();
        var components = Enumerable.Range(0, 2).Select(axis => new DirectionVector(new DirectionRecipe
        {
            Kind = DirectionKind.Pca,
            Axis = axis,
            Normalization = DirectionNormalization.None,
            IgnoreBiasAndNorm = true,
            CheckpointSha256 = Sha,
        }, Component(axis))).ToArray();
        return new TrajectoryPcaResult(checkpoints, checkpoints[^1], components, [.. PaperFileFormulas.PcaRatios], [.. PaperFileFormulas.PcaSingular],
            [.. PaperFileFormulas.PcaX], [.. PaperFileFormulas.PcaY]);
    }
}
