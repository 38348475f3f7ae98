using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LossLandscape.Core.Hdf5;

/// <summary>
/// Walks an HDF5 file's group structure before PureHDF opens it and refuses soft and external links.
/// PureHDF 2.2.0 resolves a link before it reports the link's type and follows soft links by
/// unbounded recursion, so a cycle of them overflows the stack: an error no .NET code can catch,
/// which would end the user's PowerShell session. Our files and the paper code's (h5py defaults)
/// hold hard links only. PureHDF also reads object header continuation blocks and group B-tree nodes
/// by recursion, so the walk refuses a block or node reached twice (writers build them as trees; a
/// repeat is a cycle), a B-tree whose levels do not count down, and continuation chains deeper than
/// <see cref="MaxContinuationDepth"/>. It reads a few bytes at a time, keeps an explicit queue and a
/// visited set (hard links may form cycles legally) and stops after <see cref="MaxSteps"/>
/// structures, messages and entries, so neither its time nor its memory follows what the file declares.
/// </summary>
internal static class Hdf5LinkWalk
{
    /// <summary>
    /// Object headers, header chunks, B-tree and symbol nodes, messages and entries read in one walk.
    /// An object costs its header and a handful of messages, so this admits well over a hundred
    /// thousand tensors and stops only a file built to make the walk itself long.
    /// </summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>How many continuation blocks may lead to one another in one object header; each is a frame of PureHDF's recursion.</summary>
    public const int MaxContinuationDepth = 256;

    /// <summary>
    /// Refuses the open file if any group in it holds a soft or external link, or if its structure
    /// cannot be walked. It reads by position only, leaving the handle's file offset alone; <paramref name="path"/> names the file in messages.
    /// </summary>
    public static void RequireHardLinksOnly(string path, SafeFileHandle handle) => new Walker(path, handle).Run();

    private enum Kind { ObjectHeader, HeaderChunkV1, HeaderChunkV2, BTreeNode, SymbolNode }

    /// <summary>
    /// A structure to read. Header chunks carry their length, for version 2 the header's flags (whether
    /// messages store a creation order), and in <see cref="Depth"/> how many continuation blocks lead to
    /// them; B-tree nodes carry in <see cref="Depth"/> the level their parent requires (-1 for a group's
    /// root node); B-tree and symbol nodes carry the local heap holding their names.
    /// </summary>
    private readonly record struct Item(Kind Kind, ulong Address, ulong Length = 0, byte Flags = 0, int Depth = 0, ulong HeapData = 0, ulong HeapSize = 0);

    private sealed class Walker(string path, SafeFileHandle handle)
    {
        private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

        private readonly long fileLength = RandomAccess.GetLength(handle);
        private readonly Queue<Item> queue = new();
        private readonly HashSet<(Kind, ulong)> visited = [];
        private readonly HashSet<ulong> treeRoots = [];
        private int offsetSize;
        private int lengthSize;
        private ulong baseAddress;
        private int steps;

        public void Run()
        {
            ReadSuperblock();
            while (queue.TryDequeue(out var item))
            {
                Step();
                switch (item.Kind)
                {
                    case Kind.ObjectHeader: ReadObjectHeader(item.Address); break;
                    case Kind.HeaderChunkV1: ReadMessagesV1(Position(item.Address, item.Length), item.Length, item.Depth); break;
                    case Kind.HeaderChunkV2: ReadContinuationV2(item); break;
                    case Kind.BTreeNode: ReadBTreeNode(item); break;
                    case Kind.SymbolNode: ReadSymbolNode(item); break;
                }
            }
        }

        private void Step()
        {
            if (++steps > MaxSteps)
                throw Invalid($"its group structure takes more than {MaxSteps} steps to walk");
        }

        // ------------------------------------------------------------ superblock

        private void ReadSuperblock()
        {
            // The superblock may follow a user block. libhdf5 looks at 0, 512, 1024, 2048, ...; PureHDF 2.2.0
            // doubles its step instead (0, 512, 1536, 3584, ...), and the walk must see the superblock PureHDF will read.
            for (long at = 0, step = 512; at + Signature.Length <= fileLength; at = checked(at + step), step = checked(step * 2))
            {
                var head = Read(at, 9);
                if (!head[..8].SequenceEqual(Signature)) continue;
                switch (head[8])
                {
                    case 0 or 1: ReadSuperblockV0(at, head[8]); return;
                    case 2 or 3: ReadSuperblockV2(at); return;
                    default: throw Invalid($"its superblock has version {head[8]}");
                }
            }
            throw Invalid("it has no HDF5 superblock");
        }

        private void ReadSuperblockV0(long at, int version)
        {
            var fixedPart = Read(at, 24);
            SetSizes(fixedPart[13], fixedPart[14]);
            // Version 1 adds the indexed storage K and two reserved bytes.
            var addresses = checked(at + 24 + (version == 1 ? 4 : 0));
            var fields = Read(addresses, 4 * offsetSize);
            baseAddress = Unsigned(fields, 0, offsetSize);
            ReadSymbolTableEntry(checked(addresses + 4 * offsetSize), 0, 0);
        }

        private void ReadSuperblockV2(long at)
        {
            var head = Read(at, 12);
            SetSizes(head[9], head[10]);
            var fields = Read(checked(at + 12), 4 * offsetSize);
            baseAddress = Unsigned(fields, 0, offsetSize);
            Enqueue(Kind.ObjectHeader, Unsigned(fields, 3 * offsetSize, offsetSize));
        }

        private void SetSizes(int offsets, int lengths)
        {
            if (offsets is not (2 or 4 or 8) || lengths is not (2 or 4 or 8))
                throw Invalid($"its superblock declares {offsets}-byte addresses and {lengths}-byte lengths");
            offsetSize = offsets;
            lengthSize = lengths;
        }

        // ------------------------------------------------------------ object headers

        private void ReadObjectHeader(ulong address)
        {
            var at = Position(address, 16);
            var head = Read(at, 16);
            if (head.AsSpan(0, 4).SequenceEqual("OHDR"u8))
            {
                ReadObjectHeaderV2(at, head);
                return;
            }
            if (head[0] != 1) throw Invalid($"the object header at {address} has version {head[0]}");
            // Version 1: version, reserved, message count (2), reference count (4), header size (4), 4 bytes of alignment, messages.
            var size = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(8));
            ReadMessagesV1(Span(at + 16, size), size, 0);
        }

        /// <summary>Version 1 messages: type (2), size (2), flags, 3 reserved, data padded to 8 bytes (the size counts the padding).</summary>
        private void ReadMessagesV1(long at, ulong length, int depth)
        {
            var end = at + (long)length;
            while (at < end)
            {
                Step();
                // libhdf5 fills a version 1 chunk with messages; PureHDF would read a message header past a shorter rest.
                if (end - at < 8) throw Invalid($"the object header chunk ending at {end} leaves {end - at} bytes that hold no message");
                var header = Read(at, 8);
                var size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2));
                at += 8;
                if (size > end - at) throw Invalid($"a message at {at - 8} runs past its object header");
                ReadMessage(BinaryPrimitives.ReadUInt16LittleEndian(header), header[4], at, size, new Item(Kind.HeaderChunkV1, 0, Depth: depth));
                at += size;
            }
        }

        private void ReadObjectHeaderV2(long at, byte[] head)
        {
            if (head[4] != 2) throw Invalid($"the object header at {at} has version {head[4]}");
            var flags = head[5];
            // Signature, version, flags; optional times (bit 5) and attribute phase change values (bit 4); chunk size of 1, 2, 4 or 8 bytes.
            var sizeAt = at + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            var sizeBytes = 1 << (flags & 3);
            var chunkSize = Unsigned(Read(sizeAt, sizeBytes), 0, sizeBytes);
            ReadMessagesV2(Span(sizeAt + sizeBytes, chunkSize), chunkSize, flags, 0);
        }

        private void ReadContinuationV2(Item chunk)
        {
            var at = Position(chunk.Address, chunk.Length);
            // "OCHK", messages, then a 4-byte checksum.
            if (chunk.Length < 8 || !Read(at, 4).AsSpan().SequenceEqual("OCHK"u8))
                throw Invalid($"the object header continuation at {chunk.Address} is not an 'OCHK' block");
            ReadMessagesV2(at + 4, chunk.Length - 8, chunk.Flags, chunk.Depth);
        }

        /// <summary>Version 2 messages: type, size (2), flags, creation order (2) if the header's flag bit 2 says so, data.</summary>
        private void ReadMessagesV2(long at, ulong length, byte flags, int depth)
        {
            var end = at + (long)length;
            var headerSize = (flags & 0x04) != 0 ? 6 : 4;
            // No more bytes than a message header at the end of a chunk are a gap, not a message (as PureHDF reads it).
            while (end - at > headerSize)
            {
                Step();
                var header = Read(at, headerSize);
                var size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(1));
                at += headerSize;
                if (size > end - at) throw Invalid($"a message at {at - headerSize} runs past its object header");
                ReadMessage(header[0], header[3], at, size, new Item(Kind.HeaderChunkV2, 0, Flags: flags, Depth: depth));
                at += size;
            }
        }

        /// <param name="chunk">The chunk the message lies in: its kind, header flags and continuation depth.</param>
        private void ReadMessage(int type, byte messageFlags, long at, int size, Item chunk)
        {
            const int LinkInfo = 0x02, Link = 0x06, Continuation = 0x10, SymbolTable = 0x11;
            if (type is not (LinkInfo or Link or Continuation or SymbolTable)) return;
            // These are never shared messages; one marked so would hold a reference that PureHDF reads differently from us.
            if ((messageFlags & 0x02) != 0) throw Invalid($"the message of type {type} at {at} is marked shared");
            var data = new Reader(this, Read(at, size), at);
            switch (type)
            {
                case LinkInfo:
                    ReadLinkInfo(data);
                    break;
                case Link:
                    ReadLink(data);
                    break;
                case Continuation:
                    var address = data.Offset();
                    if (chunk.Depth >= MaxContinuationDepth)
                        throw Invalid($"an object header continues through more than {MaxContinuationDepth} blocks");
                    Enqueue(chunk.Kind, address, data.Length(), chunk.Flags, chunk.Depth + 1);
                    break;
                case SymbolTable:
                    var tree = data.Offset();
                    EnqueueSymbolTable(tree, data.Offset());
                    break;
            }
        }

        private void ReadLinkInfo(Reader data)
        {
            if (data.Byte() != 0) throw Invalid($"the link info message at {data.Start} has an unknown version");
            var flags = data.Byte();
            if ((flags & 0x01) != 0) data.Skip(8);
            var heap = data.Offset();
            var nameIndex = data.Offset();
            if (!IsUndefined(heap) || !IsUndefined(nameIndex))
                throw new InvalidDataException($"'{path}' stores a group's links in dense storage (a fractal heap, as libhdf5 does past 8 links with h5py's libver='latest' or track_order=True), which is not read; h5py's default settings and LossLandscape write symbol-table or compact groups.");
        }

        private void ReadLink(Reader data)
        {
            if (data.Byte() != 1) throw Invalid($"the link message at {data.Start} has an unknown version");
            var flags = data.Byte();
            var type = (flags & 0x08) != 0 ? data.Byte() : 0;
            if ((flags & 0x04) != 0) data.Skip(8);
            if ((flags & 0x10) != 0) data.Skip(1);
            var nameLength = data.Unsigned(1 << (flags & 3));
            var name = data.Text(nameLength);
            switch (type)
            {
                case 0: Enqueue(Kind.ObjectHeader, data.Offset()); break;
                case 1: throw Refused("a soft", name);
                case 64: throw Refused("an external", name);
                default: throw Invalid($"the link '{name}' has link type {type}");
            }
        }

        // ------------------------------------------------------------ symbol table groups

        private void EnqueueSymbolTable(ulong tree, ulong heap)
        {
            Step();
            // Local heap: "HEAP", version, 3 reserved, data segment size (L), free list offset (L), data segment address (O).
            var at = Position(heap, (ulong)(8 + 2 * lengthSize + offsetSize));
            var bytes = Read(at, 8 + 2 * lengthSize + offsetSize);
            if (!bytes.AsSpan(0, 4).SequenceEqual("HEAP"u8)) throw Invalid($"the local heap at {heap} has no 'HEAP' signature");
            var dataSize = Unsigned(bytes, 8, lengthSize);
            var dataAddress = Unsigned(bytes, 8 + 2 * lengthSize, offsetSize);
            Position(dataAddress, dataSize);
            Enqueue(Kind.BTreeNode, tree, depth: -1, heapData: dataAddress, heapSize: dataSize);
        }

        private void ReadBTreeNode(Item node)
        {
            // "TREE", node type, level, entries used (2), left and right siblings; then key, child, key, ..., child, key.
            var headerSize = 8 + 2 * offsetSize;
            var at = Position(node.Address, (ulong)headerSize);
            var head = Read(at, headerSize);
            if (!head.AsSpan(0, 4).SequenceEqual("TREE"u8) || head[4] != 0)
                throw Invalid($"the group B-tree node at {node.Address} is not a 'TREE' node of type 0");
            var level = head[5];
            if (node.Depth >= 0 && level != node.Depth)
                throw Invalid($"the group B-tree node at {node.Address} has level {level} under a node of level {node.Depth + 1}");
            var childKind = level == 0 ? Kind.SymbolNode : Kind.BTreeNode;
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
            var stride = lengthSize + offsetSize;
            // Children start after the first key; a key is a name offset in the local heap and decides nothing here.
            var children = Read(Span(at + headerSize + lengthSize, (ulong)(entries * stride)), entries * stride);
            for (var i = 0; i < entries; i++)
            {
                Step();
                Enqueue(childKind, Unsigned(children, i * stride, offsetSize), depth: level - 1, heapData: node.HeapData, heapSize: node.HeapSize);
            }
        }

        private void ReadSymbolNode(Item node)
        {
            // "SNOD", version 1, reserved, symbol count (2), then symbol table entries.
            var at = Position(node.Address, 8);
            var head = Read(at, 8);
            if (!head.AsSpan(0, 4).SequenceEqual("SNOD"u8) || head[4] != 1)
                throw Invalid($"the symbol table node at {node.Address} is not an 'SNOD' node of version 1");
            var count = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
            var entrySize = 2 * offsetSize + 24;
            Position(node.Address, (ulong)(8 + count * entrySize));
            for (var i = 0; i < count; i++)
            {
                Step();
                ReadSymbolTableEntry(at + 8 + i * entrySize, node.HeapData, node.HeapSize);
            }
        }

        /// <summary>
        /// A symbol table entry: name offset in the local heap, object header address, cache type, reserved, 16-byte scratch pad.
        /// PureHDF follows the scratch pad's cached B-tree and heap rather than the header's symbol table message, so both are walked.
        /// </summary>
        private void ReadSymbolTableEntry(long at, ulong heapData, ulong heapSize)
        {
            var entry = Read(at, 2 * offsetSize + 24);
            var header = Unsigned(entry, offsetSize, offsetSize);
            var cacheType = BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(2 * offsetSize));
            var scratch = 2 * offsetSize + 8;
            switch (cacheType)
            {
                case 0:
                    Enqueue(Kind.ObjectHeader, header);
                    break;
                case 1:
                    Enqueue(Kind.ObjectHeader, header);
                    EnqueueSymbolTable(Unsigned(entry, scratch, offsetSize), Unsigned(entry, scratch + offsetSize, offsetSize));
                    break;
                case 2:
                    throw Refused("a soft", HeapName(Unsigned(entry, 0, offsetSize), heapData, heapSize));
                default:
                    throw Invalid($"the symbol table entry at {at} has cache type {cacheType}");
            }
        }

        /// <summary>A link's name from its group's local heap, for the message only: at most 256 bytes, and '?' where there is none.</summary>
        private string HeapName(ulong offset, ulong heapData, ulong heapSize)
        {
            if (heapSize == 0 || offset >= heapSize) return "?";
            var length = (int)Math.Min(256, heapSize - offset);
            var bytes = Read(Position(checked(heapData + offset), (ulong)length), length);
            var end = Array.IndexOf(bytes, (byte)0);
            return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
        }

        // ------------------------------------------------------------ reading

        /// <summary>
        /// Queues a structure once. An object header reached again is skipped (hard links may repeat and
        /// cycle), and so is a group's B-tree root (named by both the symbol table message and the entry's
        /// scratch pad); any other block or node reached twice is a cycle PureHDF would recurse around.
        /// </summary>
        private void Enqueue(Kind kind, ulong address, ulong length = 0, byte flags = 0, int depth = 0, ulong heapData = 0, ulong heapSize = 0)
        {
            if (IsUndefined(address)) throw Invalid($"it links a {kind} at the undefined address");
            Position(address, 1);
            var isTreeRoot = kind == Kind.BTreeNode && depth < 0;
            if (kind == Kind.ObjectHeader || isTreeRoot && treeRoots.Contains(address))
            {
                if (!visited.Add((kind, address))) return;
            }
            else if (!visited.Add((kind, address)))
            {
                throw Invalid($"its {kind} at {address} is reached twice, a cycle");
            }
            if (isTreeRoot) treeRoots.Add(address);
            queue.Enqueue(new Item(kind, address, length, flags, depth, heapData, heapSize));
        }

        private bool IsUndefined(ulong address) => address == (offsetSize == 8 ? ulong.MaxValue : (1UL << (8 * offsetSize)) - 1);

        /// <summary>The file position of <paramref name="length"/> bytes at a file address (relative to the base address), checked to lie inside the file.</summary>
        private long Position(ulong address, ulong length) =>
            address <= ulong.MaxValue - baseAddress ? Span((long)Math.Min(baseAddress + address, long.MaxValue), length) : throw Invalid($"it points at address {address}, beyond any file");

        /// <summary><paramref name="at"/>, once <paramref name="length"/> bytes from there are known to lie inside the file.</summary>
        private long Span(long at, ulong length)
        {
            if (at < 0 || at > fileLength || length > (ulong)(fileLength - at))
                throw Invalid($"it is truncated: {length} bytes at {at} lie past its end ({fileLength} bytes)");
            return at;
        }

        private byte[] Read(long at, int count)
        {
            Span(at, (ulong)count);
            var bytes = new byte[count];
            var read = 0;
            while (read < count)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), at + read);
                if (n == 0) throw Invalid($"it is truncated: {count} bytes at {at} lie past its end");
                read += n;
            }
            return bytes;
        }

        private ulong Unsigned(ReadOnlySpan<byte> bytes, int at, int size) => size switch
        {
            1 => bytes[at],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]),
            _ => throw Invalid($"a field of {size} bytes"),
        };

        private InvalidDataException Invalid(string detail) => new($"'{path}' is not a readable HDF5 file: {detail}.");

        private InvalidDataException Refused(string kind, string name) =>
            new($"'{path}' holds {kind} link '{name}'; LossLandscape files use none, and a cycle of them would crash the reader.");

        /// <summary>The fields of one message, each read checked against the message's size.</summary>
        private sealed class Reader(Walker walker, byte[] data, long start)
        {
            private int at;

            public long Start => start;

            public byte Byte() => Take(1)[0];

            public void Skip(int count) => Take(count);

            public ulong Offset() => Unsigned(walker.offsetSize);

            public ulong Length() => Unsigned(walker.lengthSize);

            public ulong Unsigned(int size) => walker.Unsigned(Take(size), 0, size);

            public string Text(ulong length) =>
                length <= (ulong)(data.Length - at) ? Encoding.UTF8.GetString(Take((int)length)) : throw walker.Invalid($"the message at {start} runs past its size");

            private ReadOnlySpan<byte> Take(int count)
            {
                if (count > data.Length - at) throw walker.Invalid($"the message at {start} runs past its size");
                var span = data.AsSpan(at, count);
                at += count;
                return span;
            }
        }
    }
}
