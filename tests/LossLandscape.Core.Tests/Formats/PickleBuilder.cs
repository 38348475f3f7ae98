using System.Buffers.Binary;
using System.Text;

namespace LossLandscape.Core.Tests.Formats;

/// <summary>Assembles pickle opcodes by hand, for inputs no Python pickler would write.</summary>
internal sealed class PickleBuilder
{
    private readonly List<byte> bytes = [];

    public PickleBuilder Proto(byte protocol = 2) => Raw(0x80, protocol);

    public PickleBuilder Global(string module, string name) => Raw((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder StackGlobal(string module, string name) => Unicode(module).Unicode(name).Raw(0x93);

    public PickleBuilder Unicode(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Raw((byte)'X').Raw(length).Raw(utf8);
    }

    public PickleBuilder Int(byte value) => Raw((byte)'K', value);

    public PickleBuilder Mark() => Raw((byte)'(');

    public PickleBuilder EmptyDict() => Raw((byte)'}');

    public PickleBuilder EmptyTuple() => Raw((byte)')');

    public PickleBuilder Tuple1() => Raw(0x85);

    public PickleBuilder SetItems() => Raw((byte)'u');

    public PickleBuilder Reduce() => Raw((byte)'R');

    public byte[] Stop() => Raw((byte)'.').bytes.ToArray();

    public PickleBuilder Raw(params byte[] raw)
    {
        bytes.AddRange(raw);
        return this;
    }
}
