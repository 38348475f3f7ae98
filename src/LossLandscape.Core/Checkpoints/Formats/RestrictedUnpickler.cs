using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace LossLandscape.Core.Checkpoints.Formats;

/// <summary>
/// Reads one pickle (protocols 2 to 5, the opcodes <c>torch.save</c> and plain containers emit)
/// without executing anything: globals resolve only through <see cref="PickleAllowlist"/>, anything
/// else raises <see cref="UnsafePickleException"/>. Values come back as null, bool, long,
/// <see cref="BigInteger"/>, double, string, byte[], object?[] (tuple), List&lt;object?&gt;,
/// <see cref="PickleDictionary"/> and the allowlist's types. Every read is bounds-checked: a
/// truncated or malformed pickle raises <see cref="InvalidDataException"/>.
/// </summary>
public sealed class RestrictedUnpickler
{
    /// <summary>Caps on the stack and the memo, far above what a checkpoint needs.</summary>
    public const int MaxStackSize = 1 << 22;
    public const int MaxMemoSize = 1 << 22;
    private const int MaxGlobalLineLength = 512;
    private const int MaxLongBytes = 1 << 16;

    private static readonly object Mark = new();

    private readonly Stream stream;
    private readonly Func<object?, object?>? persistentLoad;
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];
    private long opcodeOffset;

    /// <param name="stream">A seekable stream positioned at the pickle; left just after its STOP.</param>
    /// <param name="persistentLoad">Resolves persistent ids (BINPERSID); null refuses them.</param>
    public RestrictedUnpickler(Stream stream, Func<object?, object?>? persistentLoad = null)
    {
        if (!stream.CanSeek) throw new ArgumentException("The unpickler needs a seekable stream to bound its reads.", nameof(stream));
        this.stream = stream;
        this.persistentLoad = persistentLoad;
    }

    public static object? Load(byte[] pickle, Func<object?, object?>? persistentLoad = null) =>
        new RestrictedUnpickler(new MemoryStream(pickle, writable: false), persistentLoad).Load();

    /// <exception cref="UnsafePickleException">The pickle names a global outside the allowlist.</exception>
    /// <exception cref="InvalidDataException">The pickle is truncated, malformed or uses an unsupported opcode.</exception>
    public object? Load()
    {
        stack.Clear();
        marks.Clear();
        memo.Clear();
        while (true)
        {
            opcodeOffset = stream.Position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw Malformed($"unsupported pickle protocol {protocol}");
                    break;
                case 0x95: // FRAME: a length hint only
                    var frameLength = ReadInt64();
                    if (frameLength < 0 || frameLength > Remaining) throw Malformed($"frame of {frameLength} bytes runs past the end");
                    break;
                case (byte)'.': // STOP
                    if (marks.Count != 0 || stack.Count != 1) throw Malformed($"STOP with {stack.Count} items on the stack");
                    return stack[0];
                case (byte)'(': // MARK
                    if (marks.Count >= MaxStackSize) throw Malformed("too many marks");
                    marks.Add(stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;

                case (byte)'N':
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                    break;
                case 0x8a: // LONG1
                    Push(DecodeLong(ReadBytes(ReadByte())));
                    break;
                case 0x8b: // LONG4
                    Push(DecodeLong(ReadBytes(ReadLength(ReadInt32(), MaxLongBytes))));
                    break;
                case (byte)'G': // BINFLOAT, big-endian
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                    break;

                case (byte)'X': // BINUNICODE
                    Push(DecodeUtf8(ReadBytes(ReadLength(ReadUInt32()))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(DecodeUtf8(ReadBytes(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(DecodeUtf8(ReadBytes(ReadLength(ReadInt64()))));
                    break;
                // Python 2 str: torch.load decodes it as text; Latin-1 keeps every byte recoverable.
                case (byte)'T': // BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(ReadInt32()))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(ReadBytes(ReadLength(ReadUInt32())));
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(ReadBytes(ReadByte()));
                    break;
                case 0x8e: // BINBYTES8
                    Push(ReadBytes(ReadLength(ReadInt64())));
                    break;

                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case (byte)'t': // TUPLE
                    Push(PopToMark());
                    break;
                case 0x85: // TUPLE1
                case 0x86: // TUPLE2
                case 0x87: // TUPLE3
                    Push(PopItems(opcode - 0x84));
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)'l': // LIST
                    Push(new List<object?>(PopToMark()));
                    break;
                case (byte)'a': // APPEND
                    var item = Pop();
                    ListOnTop("APPEND").Add(item);
                    break;
                case (byte)'e': // APPENDS
                    var items = PopToMark();
                    ListOnTop("APPENDS").AddRange(items);
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDictionary());
                    break;
                case (byte)'d': // DICT
                    var dictionary = new PickleDictionary();
                    SetItems(dictionary, PopToMark());
                    Push(dictionary);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    DictionaryOnTop("SETITEM").Set(key, value);
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopToMark();
                    SetItems(DictionaryOnTop("SETITEMS"), pairs);
                    break;

                case (byte)'q': // BINPUT
                    Memoize(ReadByte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memoize(ReadUInt32());
                    break;
                case 0x94: // MEMOIZE
                    Memoize(memo.Count);
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(ReadUInt32()));
                    break;

                case (byte)'c': // GLOBAL
                    Push(ResolveGlobal(ReadLine(), ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                    var name = Pop();
                    var module = Pop();
                    if (module is not string moduleName || name is not string globalName)
                        throw Malformed("STACK_GLOBAL needs two strings");
                    Push(ResolveGlobal(moduleName, globalName));
                    break;
                case (byte)'R': // REDUCE
                case 0x81: // NEWOBJ: cls.__new__(cls, *args); the stand-ins build the same data either way.
                    var arguments = Pop();
                    var callable = Pop();
                    Push(Call(callable, arguments));
                    break;
                case (byte)'b': // BUILD
                    var state = Pop();
                    if (Peek() is not IPickleBuildable buildable) throw Malformed($"BUILD on {PickleValues.Describe(Peek())}");
                    buildable.SetState(state);
                    break;
                case (byte)'Q': // BINPERSID
                    var persistentId = Pop();
                    if (persistentLoad is null) throw Malformed("a persistent id, which this file type cannot hold");
                    Push(persistentLoad(persistentId));
                    break;

                // Protocol 0/1 instance creation names a class inline: refuse it as a global.
                case (byte)'i': // INST
                    throw new UnsafePickleException(ReadLine(), ReadLine(), opcodeOffset);
                default:
                    throw Malformed($"unsupported pickle opcode 0x{opcode:x2}");
            }
        }
    }

    private long Remaining => stream.Length - stream.Position;

    private object ResolveGlobal(string module, string name) =>
        PickleAllowlist.TryResolve(module, name, out var value) ? value : throw new UnsafePickleException(module, name, opcodeOffset);

    private object? Call(object? callable, object? arguments)
    {
        if (callable is not PickleCallable function) throw Malformed($"REDUCE calls {PickleValues.Describe(callable)}, which is not callable");
        if (arguments is not object?[] tuple) throw Malformed($"REDUCE arguments are {PickleValues.Describe(arguments)}, not a tuple");
        return function.Invoke(tuple);
    }

    private static void SetItems(PickleDictionary dictionary, object?[] pairs)
    {
        if (pairs.Length % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of items.");
        for (var i = 0; i < pairs.Length; i += 2) dictionary.Set(pairs[i], pairs[i + 1]);
    }

    private List<object?> ListOnTop(string opcode) =>
        Peek() as List<object?> ?? throw Malformed($"{opcode} on {PickleValues.Describe(Peek())}, not a list");

    private PickleDictionary DictionaryOnTop(string opcode) =>
        Peek() as PickleDictionary ?? throw Malformed($"{opcode} on {PickleValues.Describe(Peek())}, not a dict");

    private void Push(object? value)
    {
        if (stack.Count >= MaxStackSize) throw Malformed("the stack grows past its cap");
        stack.Add(value);
    }

    private object? Peek()
    {
        if (stack.Count == 0 || marks.Count > 0 && marks[^1] == stack.Count) throw Malformed("stack underflow");
        return stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object?[] PopItems(int count)
    {
        var floor = marks.Count > 0 ? marks[^1] : 0;
        if (stack.Count - floor < count) throw Malformed("stack underflow");
        var items = stack.GetRange(stack.Count - count, count).ToArray();
        stack.RemoveRange(stack.Count - count, count);
        return items;
    }

    private object?[] PopToMark()
    {
        if (marks.Count == 0) throw Malformed("no MARK to pop to");
        var start = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private void Memoize(long index)
    {
        if (memo.Count >= MaxMemoSize && !memo.ContainsKey(index)) throw Malformed("the memo grows past its cap");
        memo[index] = Peek();
    }

    private object? Recall(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw Malformed($"memo entry {index} was never stored");

    /// <summary>A LONG1/LONG4 integer: a long where it fits (sizes and counts are 64-bit), a <see cref="BigInteger"/> otherwise.</summary>
    // Boxed on each branch: a conditional expression of long and BigInteger would convert both to BigInteger.
    public static object DecodeLong(byte[] bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        if (value >= long.MinValue && value <= long.MaxValue) return (long)value;
        return value;
    }

    private string DecodeUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("invalid UTF-8 in a string");
        }
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            var next = ReadByte();
            if (next == (byte)'\n') return Encoding.ASCII.GetString(bytes.ToArray());
            if (next is < 0x20 or > 0x7e || bytes.Count >= MaxGlobalLineLength) throw Malformed("a malformed global name");
            bytes.Add(next);
        }
    }

    private int ReadLength(long length, long cap = long.MaxValue)
    {
        if (length < 0 || length > Remaining || length > cap || length > Array.MaxLength)
            throw Malformed($"a length of {length} bytes where {Remaining} remain");
        return (int)length;
    }

    private byte ReadByte()
    {
        var value = stream.ReadByte();
        return value >= 0 ? (byte)value : throw Truncated();
    }

    private int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    private byte[] ReadBytes(int count)
    {
        if (count > Remaining) throw Truncated();
        var buffer = new byte[count];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private InvalidDataException Truncated() =>
        new($"The pickle ends early (opcode at byte {opcodeOffset} reads past the end): the file is truncated.");

    private InvalidDataException Malformed(string problem) =>
        new($"Malformed pickle at byte {opcodeOffset}: {problem}.");
}
