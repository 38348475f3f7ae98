using System.Numerics;
using LossLandscape.Core.Checkpoints.Formats;

namespace LossLandscape.Core.Tests.Formats;

public sealed class RestrictedUnpicklerTests
{
    [Theory]
    [InlineData("builtins", "eval")]
    [InlineData("os", "system")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    [InlineData("collections", "defaultdict")]
    public void RefusesGlobalsOffTheAllowlistBeforeCallingThem(string module, string name)
    {
        var pickle = new PickleBuilder().Proto().Global(module, name).Unicode("echo pwned").Tuple1().Reduce().Stop();

        var error = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Contains($"'{module}.{name}' (at byte 2)", error.Message);
    }

    [Fact]
    public void RefusesStackGlobalsOffTheAllowlist()
    {
        var pickle = new PickleBuilder().Proto(4).StackGlobal("builtins", "exec").Stop();

        var error = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Equal(("builtins", "exec"), (error.Module, error.Name));
    }

    [Fact]
    public void RefusesProtocolZeroInstanceCreation()
    {
        byte[] pickle = [(byte)'(', .. "i"u8, .. "os\nsystem\n"u8, (byte)'.'];

        var error = Assert.Throws<UnsafePickleException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Equal("os.system", $"{error.Module}.{error.Name}");
    }

    [Fact]
    public void DecodesPlainContainersAndScalars()
    {
        // {'a': [1, -2, 2**70, 1.5, True, None], 'b': ('x', b'yz')}
        var pickle = Convert.FromHexString(
            "80027d71002858010000006171015d710228" + "4b01" + "4afeffffff" + "8a09000000000000000040" +
            "473ff8000000000000" + "88" + "4e" + "65" + "580100000062" + "8c0178" + "4302797a" + "86" + "75" + "2e");

        var root = Assert.IsType<PickleDictionary>(RestrictedUnpickler.Load(pickle));

        Assert.True(root.TryGetValue("a", out var list));
        Assert.Equal([1L, -2L, BigInteger.Pow(2, 70), 1.5, true, null], Assert.IsType<List<object?>>(list));
        Assert.True(root.TryGetValue("b", out var tuple));
        var items = Assert.IsType<object?[]>(tuple);
        Assert.Equal("x", items[0]);
        Assert.Equal("yz"u8.ToArray(), items[1]);
    }

    [Fact]
    public void EveryPrefixOfAValidPickleIsInvalidData()
    {
        var pickle = File.ReadAllBytes(FormatFixtures.PathOf("numpy_arrays_protocol4.pkl"));
        for (var length = 0; length < pickle.Length; length++)
            Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle[..length]));
    }

    [Theory]
    [InlineData("80026801", "memo entry 1 was never stored")] // BINGET of nothing
    [InlineData("8002582000000061", "a length of 32 bytes where 1 remain")] // BINUNICODE longer than the file
    [InlineData("80024b014b012e", "STOP with 2 items")]
    [InlineData("800275", "no MARK")] // SETITEMS without a mark
    [InlineData("8002ff", "unsupported pickle opcode 0xff")]
    [InlineData("80024b0174", "no MARK")]
    [InlineData("80024b0152", "stack underflow")]
    public void MalformedPicklesAreInvalidData(string hex, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(Convert.FromHexString(hex)));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AStorageTypeCannotBeCalled()
    {
        var pickle = new PickleBuilder().Proto().Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop();

        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Contains("not callable", error.Message);
    }

    [Theory]
    [InlineData("numpy_arrays_protocol2.pkl")]
    [InlineData("numpy_arrays_protocol4.pkl")]
    public void DecodesNumpyArraysAsTheCifarBatchesPickleThem(string fixture)
    {
        var reference = FormatFixtures.References.GetProperty("numpy");
        var root = Assert.IsType<PickleDictionary>(RestrictedUnpickler.Load(File.ReadAllBytes(FormatFixtures.PathOf(fixture))));

        Assert.True(root.TryGetValue("batch_label", out var label));
        Assert.Equal(reference.GetProperty("batch_label").GetString(), label);
        Assert.True(root.TryGetValue("acc", out var accuracy));
        Assert.Equal(reference.GetProperty("acc").GetDouble(), accuracy);
        Assert.True(root.TryGetValue("labels", out var labels));
        Assert.Equal([3L, 1L], Assert.IsType<List<object?>>(labels));
        foreach (var array in reference.GetProperty("arrays").EnumerateObject())
        {
            Assert.True(root.TryGetValue(array.Name, out var value));
            var tensor = Assert.IsType<NumpyArray>(value).ToNamedTensor(array.Name);
            Assert.Equal(array.Value.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()), tensor.Shape);
            var expected = array.Value.GetProperty("values").EnumerateArray().Select(item => item.GetDouble()).ToArray();
            if (tensor.DType == TensorDType.Int64)
                Assert.Equal(expected.Select(item => (long)item), Enumerable.Range(0, expected.Length).Select(i => BitConverter.ToInt64(tensor.Data, i * 8)));
            else
                Assert.Equal(expected.Select(item => (float)item), tensor.ToFloat32());
        }
    }

    [Theory]
    [InlineData(2147483648L)] // 2^31: past int
    [InlineData(4294967296L)] // 2^32: past uint
    [InlineData(long.MaxValue)] // 2^63 - 1
    [InlineData(long.MinValue)]
    public void Long1AndLong4IntegersThatFitIn64BitsAreLongs(long value)
    {
        var bytes = new BigInteger(value).ToByteArray();
        var long1 = new PickleBuilder().Proto().Raw(0x8a, (byte)bytes.Length).Raw(bytes).Stop();
        var long4 = new PickleBuilder().Proto().Raw(0x8b).Raw(BitConverter.GetBytes(bytes.Length)).Raw(bytes).Stop();

        Assert.Equal(value, Assert.IsType<long>(RestrictedUnpickler.Load(long1)));
        Assert.Equal(value, Assert.IsType<long>(RestrictedUnpickler.Load(long4)));
    }

    [Fact]
    public void IntegersPast64BitsStayBigIntegers()
    {
        var bytes = (new BigInteger(long.MaxValue) + 1).ToByteArray();

        var value = RestrictedUnpickler.Load(new PickleBuilder().Proto().Raw(0x8a, (byte)bytes.Length).Raw(bytes).Stop());

        Assert.Equal(new BigInteger(long.MaxValue) + 1, Assert.IsType<BigInteger>(value));
    }

    [Fact]
    public void AKeyOf100000NestedTuplesIsRefusedWithoutRecursion()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().EmptyTuple().Raw(Enumerable.Repeat((byte)0x85, 100_000).ToArray()).Int(1).Raw((byte)'s').Stop();

        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Contains($"more than {PickleKeyComparer.MaxKeyValues} values", error.Message);
    }

    [Fact]
    public void AMemoSharedTowerOf80PairsIsRefusedAfterAtMostTheCapOfValues()
    {
        // t0 = (); t(k+1) = (tk, tk) through the memo: 161 opcodes, 2^80 values when expanded.
        var builder = new PickleBuilder().Proto().EmptyDict().EmptyTuple().Raw((byte)'q', 0, (byte)'0');
        for (var level = 0; level < 80; level++) builder.Raw((byte)'h', 0, (byte)'h', 0, 0x86, (byte)'q', 0, (byte)'0');
        var pickle = builder.Raw((byte)'h', 0).Int(1).Raw((byte)'s').Stop();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle));

        Assert.Contains($"more than {PickleKeyComparer.MaxKeyValues} values", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void SmallTupleKeysStillHashAndCompareAsPythonDoes()
    {
        // {((1, 'a'), 2): 1, ((1.0, 'a'), 2): 2}: equal keys, so one entry holding 2.
        var builder = new PickleBuilder().Proto().EmptyDict();
        foreach (var (first, value) in new[] { (new byte[] { (byte)'K', 1 }, (byte)1), (new byte[] { (byte)'G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0 }, (byte)2) })
            builder.Raw(first).Unicode("a").Raw(0x86).Int(2).Raw(0x86).Int(value).Raw((byte)'s');

        var root = Assert.IsType<PickleDictionary>(RestrictedUnpickler.Load(builder.Stop()));

        var entry = Assert.Single(root.Entries);
        Assert.Equal(2L, entry.Value);
    }
}
