using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Curvature;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.Core.Training;

namespace LossLandscape.Core.Tests.Surfaces;

/// <summary>The device of a surface: an explicit CPU changes nothing, a missing device stops it before anything runs.</summary>
public sealed class SurfaceDeviceTests(TrainedCheckpoints checkpoints) : IClassFixture<TrainedCheckpoints>
{
    private static readonly DatasetReference Train = new("Digits", DatasetSplit.Train, MaxSamples: 300, SubsetSeed: 4);

    private static SurfaceRequest Request(CheckpointInfo checkpoint, IPointMetric? metric = null, int steps = 4)
    {
        var recipe = new DirectionRecipe { Seed = 6, CheckpointSha256 = checkpoint.Metadata.StateSha256 };
        return new SurfaceRequest
        {
            Checkpoint = checkpoint,
            X = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe),
            Y = DirectionBuilder.Build(LandscapeRuntime.Load(), checkpoint, recipe with { Axis = 1 }),
            Grid = new SurfaceGrid(SurfaceGrid.Linspace(-1, 1, steps), SurfaceGrid.Linspace(-1, 1, steps - 1)),
            Data = [Train],
            Metric = metric,
            Workers = 2,
        };
    }

    [Fact]
    public void AnExplicitCpuGivesTheDefaultPathsLossSurfaceAndFileBitForBit()
    {
        var request = Request(checkpoints.Cnn[^1]);
        var folder = checkpoints.NewFolder();
        var defaultFile = Path.Combine(folder, "default.h5");
        var cpuFile = Path.Combine(folder, "cpu.h5");

        var byDefault = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver(), defaultFile);
        var onCpu = SurfaceEngine.Compute(LandscapeRuntime.Load(), request with { Device = ComputeDevice.Parse("cpu") }, new RecordingSurfaceObserver(), cpuFile);

        AssertBitIdentical(byDefault, onCpu);
        // The device is not recorded: the file is the same, and a run may resume it on another device.
        Assert.Equal(File.ReadAllBytes(defaultFile), File.ReadAllBytes(cpuFile));
    }

    [Fact]
    public void AnExplicitCpuGivesTheDefaultPathsCurvature()
    {
        var metric = new CurvatureMetric(LossFunction.CrossEntropy, 128, weightsOnly: true, CurvatureMetric.PaperTolerance);
        var request = Request(checkpoints.Linear[^1], metric, steps: 3);

        var byDefault = SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver());
        var onCpu = SurfaceEngine.Compute(LandscapeRuntime.Load(), request with { Device = ComputeDevice.Parse("CPU") }, new RecordingSurfaceObserver());

        // Not bit for bit: Hessian-vector products differ in the last bits from one run to the next
        // on any device, as MKL's float32 GEMM takes memory-alignment-dependent paths (with
        // MKL_CBWR=COMPATIBLE two runs agree exactly). λmin of this linear model is ≈ 0, where that
        // noise is all there is, so λmax is compared.
        Assert.All(byDefault.Values["max_eig"].Zip(onCpu.Values["max_eig"]), pair =>
        {
            Assert.True(pair.First > 0);
            Assert.Equal(pair.First, pair.Second, pair.First * 1e-6);
        });
    }

    [Fact]
    public void AnUnavailableDeviceStopsTheSurfaceBeforeItTouchesItsFile()
    {
        var request = Request(checkpoints.Cnn[^1], steps: 3);
        var file = Path.Combine(checkpoints.NewFolder(), "surface.h5");
        SurfaceEngine.Compute(LandscapeRuntime.Load(), request, new RecordingSurfaceObserver(), file);
        var before = File.ReadAllBytes(file);
        var observer = new RecordingSurfaceObserver();

        var error = Assert.Throws<DeviceUnavailableException>(() =>
            SurfaceEngine.Compute(LandscapeRuntime.Load(), request with { Device = ComputeDevice.Parse("cuda") }, observer, file, restart: true));

        Assert.Equal("cuda:0", error.Device.ToString());
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.False(File.Exists(SurfaceJournal.PathFor(file)));
        Assert.Empty(observer.Points);
    }

    [Fact]
    public void ModelsAndDataAreNotLoadedOntoAnUnavailableDevice()
    {
        var missing = ComputeDevice.Parse("cuda:1");

        Assert.Throws<DeviceUnavailableException>(() => CheckpointStore.LoadModel(LandscapeRuntime.Load(), checkpoints.Cnn[^1], missing));
        Assert.Throws<DeviceUnavailableException>(() => DatasetCatalog.Load(LandscapeRuntime.Load(), Train, missing));
    }

    private static void AssertBitIdentical(SurfaceResult expected, SurfaceResult actual)
    {
        Assert.Equal(expected.Values.Keys.Order(), actual.Values.Keys.Order());
        foreach (var (key, values) in expected.Values)
        {
            Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), actual.Values[key].Select(BitConverter.DoubleToInt64Bits));
        }
    }
}
