using LossLandscape.Core.Surfaces;

namespace LossLandscape.Core.Tests.PaperFiles;

/// <summary>A surface file of the paper's plot_hessian_eig.py: max_eig initialised to −1, min_eig to +1, no train_loss.</summary>
public sealed class PaperHessianSurfaceTests
{
    private static readonly string Path = PaperFileFormulas.PathOf("hessian_surface.h5");

    private static int Cells => PaperFileFormulas.HessianX.Length * PaperFileFormulas.HessianY.Length;

    private static bool IsComputed(int cell) => cell < Cells - PaperFileFormulas.HessianUncomputed;

    [Fact]
    public void ComputedIsInferredFromMaxEig()
    {
        var content = SurfaceFile.Read(Path);

        Assert.Equal(Enumerable.Range(0, Cells).Select(IsComputed), content.Computed);
        Assert.False(content.Values.ContainsKey("train_loss"));
        Assert.Equal("digits_states.h5", content.DirectionFile);
    }

    [Fact]
    public void ForeignReadTagsTheMetricAndAddsTheRatio()
    {
        var result = SurfaceStore.Read(Path, allowForeign: true);

        Assert.Equal(SurfaceStore.PaperHessianMetric, result.Metadata.Metric);
        Assert.StartsWith("PaperHessian(", result.Metadata.Metric);
        Assert.Empty(result.Metadata.Data);
        var x = PaperFileFormulas.HessianX;
        var y = PaperFileFormulas.HessianY;
        Assert.Equal(x, result.Grid.X);
        Assert.Equal(y, result.Grid.Y);
        for (var i = 0; i < y.Length; i++)
        {
            for (var j = 0; j < x.Length; j++)
            {
                var cell = i * x.Length + j;
                if (IsComputed(cell))
                {
                    Assert.Equal(PaperFileFormulas.MaxEig(x[j], y[i]), result.Values["max_eig"][cell]);
                    Assert.Equal(PaperFileFormulas.MinEig(x[j], y[i]), result.Values["min_eig"][cell]);
                    Assert.Equal(Math.Abs(PaperFileFormulas.MinEig(x[j], y[i]) / PaperFileFormulas.MaxEig(x[j], y[i])), result.Values["eig_ratio"][cell]);
                }
                else
                {
                    Assert.Equal(-1, result.Values["max_eig"][cell]);
                    Assert.Equal(1, result.Values["min_eig"][cell]);
                    Assert.True(double.IsNaN(result.Values["eig_ratio"][cell]));
                }
            }
        }
    }

    [Fact]
    public void LossFilesKeepTheLossMetricAndGetNoRatio()
    {
        var result = SurfaceStore.Read(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Hdf5", "paper_surface_2d.h5"), allowForeign: true);

        Assert.Equal(LossMetric.MetricName, result.Metadata.Metric);
        Assert.False(result.Values.ContainsKey("eig_ratio"));
    }
}
