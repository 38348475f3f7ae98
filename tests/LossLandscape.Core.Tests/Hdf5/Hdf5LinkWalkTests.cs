using System.Buffers.Binary;
using System.Text;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Hdf5;
using LossLandscape.Core.Surfaces;
using PureHDF;

namespace LossLandscape.Core.Tests.Hdf5;

/// <summary>
/// The link pre-walk: files by h5py (symbol-table groups) and by PureHDF (compact link messages)
/// pass; soft and external links anywhere are refused before PureHDF opens the file, since a cycle
/// of them overflows PureHDF's stack and ends the process (a failure here may crash the test host
/// rather than fail a test); hard-link cycles end; broken structures are invalid data.
/// </summary>
public sealed class Hdf5LinkWalkTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    private static readonly string LinkFixtures = Path.Combine(Fixtures, "Hdf5Links");

    private readonly string directory = Path.Combine(Path.GetTempPath(), "losslandscape-core-tests", Guid.NewGuid().ToString("N"));

    public Hdf5LinkWalkTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    public static TheoryData<string> H5pyFixtures() =>
        new(Directory.GetFiles(Path.Combine(Fixtures, "Hdf5"), "*.h5").Concat(Directory.GetFiles(Path.Combine(Fixtures, "PaperFiles"), "*.h5")).Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(H5pyFixtures))]
    public void EveryH5pyFixturePasses(string name)
    {
        var path = Directory.GetFiles(Fixtures, name, SearchOption.AllDirectories).Single();

        Walk(path);
        using var file = Hdf5Storage.OpenRead(path);
        Assert.NotEmpty(file.Children());
    }

    [Theory]
    [InlineData("pass_two_level_btree.h5")]
    [InlineData("pass_compact_latest.h5")]
    [InlineData("pass_track_order.h5")]
    [InlineData("pass_userblock.h5")]
    public void OtherH5pyLayoutsPass(string name)
    {
        var path = Path.Combine(LinkFixtures, name);

        Walk(path);
        using var file = Hdf5Storage.OpenRead(path);
        Assert.Equal([-1, 0, 1], file.Dataset("xcoordinates").Read<double[]>());
    }

    [Fact]
    public void OurSurfaceAndDirectionFilesPass()
    {
        SurfaceFile.Write(PathOf("s.h5"), new SurfaceFileContent([-1, 0, 1], [-1, 1], new Dictionary<string, double[]> { ["train_loss"] = [1, 2, 3, 4, 5, 6] },
            [true, true, true, true, true, true], "", new Dictionary<string, string> { ["losslandscape_metadata"] = "{}" }));
        DirectionFile.Write(PathOf("d.h5"), new DirectionFileContent(PaperFixtureFormulas.Direction('x'), PaperFixtureFormulas.Direction('y'), new Dictionary<string, string>()));

        Walk(PathOf("s.h5"));
        Walk(PathOf("d.h5"));
        Assert.Equal([1, 2, 3, 4, 5, 6], SurfaceFile.Read(PathOf("s.h5")).Values["train_loss"]);
        Assert.Equal(PaperFixtureFormulas.Direction('x').Length, DirectionFile.ReadShapes(PathOf("d.h5")).Length);
    }

    [Fact]
    public void PureHdfKeepsManyLinksCompactSoNoFileOfOursNeedsDenseStorage()
    {
        // libhdf5 moves a new-style group past 8 links into a fractal heap; PureHDF 2.2.0 never does,
        // so the walk's refusal of dense storage cannot reach a file we wrote.
        var group = new H5Group();
        for (var i = 0; i < 4000; i++) group[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new float[] { i };
        var file = new H5File { ["xdirection"] = group, ["nested"] = new H5Group { ["deeper"] = new H5Group { ["x"] = new double[] { 1 } } } };
        for (var i = 0; i < 40; i++) file[$"d{i}"] = new double[] { i };
        file.Write(PathOf("many.h5"));

        Walk(PathOf("many.h5"));
    }

    [Theory]
    [InlineData("soft_self_cycle.h5", "a soft", "loop")]
    [InlineData("soft_two_link_cycle.h5", "a soft", "a")]
    [InlineData("soft_link_in_subgroup.h5", "a soft", "1")]
    [InlineData("external_link.h5", "an external", "elsewhere")]
    public void H5pySoftAndExternalLinksAreRefusedBeforePureHdfOpensTheFile(string name, string kind, string link)
    {
        var path = Path.Combine(LinkFixtures, name);

        var refused = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(path));

        Assert.Equal($"'{path}' holds {kind} link '{link}'; LossLandscape files use none, and a cycle of them would crash the reader.", refused.Message);
    }

    [Fact]
    public void PureHdfSoftLinksInACycleOrASubgroupAreRefused()
    {
        var axis = new double[] { -1, 0, 1 };
        new H5File { ["xcoordinates"] = new H5SoftLink("/xcoordinates") }.Write(PathOf("self.h5"));
        new H5File { ["xcoordinates"] = axis, ["a"] = new H5SoftLink("/b"), ["b"] = new H5SoftLink("/a") }.Write(PathOf("two.h5"));
        new H5File { ["xdirection"] = new H5Group { ["0"] = new float[] { 1 }, ["inner"] = new H5Group { ["1"] = new H5SoftLink("/xdirection/0") } } }.Write(PathOf("nested.h5"));

        Assert.Contains("holds a soft link 'xcoordinates'", Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(PathOf("self.h5"))).Message);
        Assert.Contains("holds a soft link 'a'", Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(PathOf("two.h5"))).Message);
        Assert.Contains("holds a soft link '1'", Assert.Throws<InvalidDataException>(() => DirectionFile.ReadShapes(PathOf("nested.h5"))).Message);
    }

    [Fact]
    public void APureHdfLinkPatchedToExternalIsRefused()
    {
        new H5File { ["xcoordinates"] = new double[] { 1 }, ["elsewhere"] = new H5SoftLink("/xcoordinates") }.Write(PathOf("external.h5"));
        var bytes = File.ReadAllBytes(PathOf("external.h5"));
        bytes[LinkTypeIndex(bytes, "elsewhere")] = 64;
        File.WriteAllBytes(PathOf("external.h5"), bytes);

        Assert.Contains("holds an external link 'elsewhere'",
            Assert.Throws<InvalidDataException>(() => Walk(PathOf("external.h5"))).Message);
    }

    [Fact]
    public void AHardLinkCycleEndsAndTheFileStillReads()
    {
        var path = Path.Combine(LinkFixtures, "hard_link_cycle.h5");

        Walk(path);
        Assert.Equal([-1, 0, 1], SurfaceFile.Read(path).X);
    }

    [Fact]
    public void DenseLinkStorageIsRefusedWithItsReason()
    {
        var path = Path.Combine(LinkFixtures, "dense_latest.h5");

        var refused = Assert.Throws<InvalidDataException>(() => SurfaceFile.Read(path));

        Assert.Contains("dense storage", refused.Message);
    }

    [Fact]
    public void AGarbageOrTruncatedObjectHeaderIsInvalidData()
    {
        new H5File { ["xcoordinates"] = new double[] { 1, 2, 3 } }.Write(PathOf("ours.h5"));
        var ours = File.ReadAllBytes(PathOf("ours.h5"));
        var root = ours.AsSpan().IndexOf("OHDR"u8);
        var garbage = (byte[])ours.Clone();
        garbage.AsSpan(root, 4).Fill(0xEE);
        File.WriteAllBytes(PathOf("garbage.h5"), garbage);
        File.WriteAllBytes(PathOf("truncated.h5"), ours[..(root + 7)]);
        // An h5py file whose root object header declares 4 GiB of messages.
        var paper = File.ReadAllBytes(Path.Combine(Fixtures, "Hdf5", "paper_surface_2d.h5"));
        BinaryPrimitives.WriteUInt32LittleEndian(paper.AsSpan(0x60 + 8), uint.MaxValue);
        File.WriteAllBytes(PathOf("huge-header.h5"), paper);
        // The same file, its root symbol table node claiming 65,535 entries.
        var snod = File.ReadAllBytes(Path.Combine(Fixtures, "Hdf5", "paper_surface_2d.h5"));
        BinaryPrimitives.WriteUInt16LittleEndian(snod.AsSpan(snod.AsSpan().IndexOf("SNOD"u8) + 6), ushort.MaxValue);
        File.WriteAllBytes(PathOf("huge-node.h5"), snod);

        foreach (var name in new[] { "garbage.h5", "truncated.h5", "huge-header.h5", "huge-node.h5" })
        {
            var invalid = Assert.Throws<InvalidDataException>(() => Walk(PathOf(name)));
            Assert.StartsWith($"'{PathOf(name)}' is not a readable HDF5 file: ", invalid.Message);
        }
    }

    private static void Walk(string path)
    {
        using var handle = File.OpenHandle(path);
        Hdf5LinkWalk.RequireHardLinksOnly(path, handle);
    }

    [Fact]
    public void AContinuationCycleOrABTreeNodeReachedTwiceIsRefusedSincePureHdfWouldRecurseAroundIt()
    {
        // The root's one message (its symbol table, at 0x70) becomes a continuation to that same chunk.
        var continuation = File.ReadAllBytes(Path.Combine(Fixtures, "Hdf5", "paper_surface_2d.h5"));
        BinaryPrimitives.WriteUInt16LittleEndian(continuation.AsSpan(0x70), 0x10);
        BinaryPrimitives.WriteUInt64LittleEndian(continuation.AsSpan(0x78), 0x70);
        BinaryPrimitives.WriteUInt64LittleEndian(continuation.AsSpan(0x80), 24);
        File.WriteAllBytes(PathOf("continuation-cycle.h5"), continuation);
        // The two-level B-tree's root (0x88, level 1) names itself as its first child.
        var tree = File.ReadAllBytes(Path.Combine(LinkFixtures, "pass_two_level_btree.h5"));
        BinaryPrimitives.WriteUInt64LittleEndian(tree.AsSpan(0x88 + 8 + 16 + 8), 0x88);
        File.WriteAllBytes(PathOf("tree-cycle.h5"), tree);

        Assert.Contains("HeaderChunkV1 at 112 is reached twice", Assert.Throws<InvalidDataException>(() => Walk(PathOf("continuation-cycle.h5"))).Message);
        Assert.Contains("BTreeNode at 136 is reached twice", Assert.Throws<InvalidDataException>(() => Walk(PathOf("tree-cycle.h5"))).Message);
    }

    [Fact]
    public void TheSuperblockIsLookedForWherePureHdfLooks()
    {
        // PureHDF 2.2.0 finds a superblock at 1536 (not one of libhdf5's places); the walk must read that one.
        var cycle = File.ReadAllBytes(Path.Combine(LinkFixtures, "soft_self_cycle.h5"));
        BinaryPrimitives.WriteUInt64LittleEndian(cycle.AsSpan(0x18), 1536);
        File.WriteAllBytes(PathOf("at-1536.h5"), [.. new byte[1536], .. cycle]);

        Assert.Contains("holds a soft link 'loop'", Assert.Throws<InvalidDataException>(() => Walk(PathOf("at-1536.h5"))).Message);
    }

    /// <summary>
    /// Where the link type of the link message named <paramref name="name"/> lies: version 1, flags
    /// (type present, charset present, name length of 1, 2, 4 or 8 bytes), type, charset, length, name.
    /// </summary>
    private static int LinkTypeIndex(byte[] bytes, string name)
    {
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(name));
        foreach (var lengthBytes in new[] { 1, 2, 4, 8 })
        {
            var start = at - 4 - lengthBytes;
            if (start >= 0 && bytes[start] == 1 && 1 << (bytes[start + 1] & 3) == lengthBytes && (bytes[start + 1] & 0x18) == 0x18 && bytes[start + 2] == 1)
                return start + 2;
        }
        throw new InvalidOperationException($"No soft link message named '{name}' found.");
    }
}
