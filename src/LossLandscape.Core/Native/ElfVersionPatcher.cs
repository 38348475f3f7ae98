using System.Buffers.Binary;
using System.Text;

namespace LossLandscape.Core.Native;

/// <summary>
/// Relaxes one GLIBCXX symbol-version requirement in an ELF64 little-endian shared object, so a
/// library built against a newer libstdc++ loads on an older one. TorchSharp 0.107's
/// libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) only for <c>std::ios_base_library_init()</c>,
/// an initializer that older libstdc++ runs by itself; Debian 12 ships 3.4.30.
/// </summary>
public static class ElfVersionPatcher
{
    public const string DefaultVersion = "GLIBCXX_3.4.32";

    // The one symbol behind GLIBCXX_3.4.32; renamed to an existing, harmless libstdc++ function
    // whose mangled name is shorter, so it fits in place in .dynstr.
    private const string MissingSymbol = "_ZSt21ios_base_library_initv";
    private const string HarmlessSymbol = "_ZSt15get_new_handlerv";

    private const uint SectionTypeDynSym = 11;
    private const uint SectionTypeVersionNeed = 0x6ffffffe;
    private const uint SectionTypeVersionSymbols = 0x6fffffff;
    private const ushort VersionFlagWeak = 2;
    private const ushort VersionIndexGlobal = 1;

    /// <summary>Whether the image requires <paramref name="version"/> through its version-needs table.</summary>
    public static bool RequiresVersion(ReadOnlySpan<byte> image, string version = DefaultVersion)
    {
        var elf = ElfImage.Parse(image);
        foreach (var aux in elf.VersionNeedAuxEntries(image))
        {
            if (aux.Name == version) return true;
        }
        return false;
    }

    /// <summary>
    /// Returns a patched copy of <paramref name="image"/> in which <paramref name="version"/> is a
    /// weak requirement and the symbols bound to it are unversioned; the symbol
    /// <c>_ZSt21ios_base_library_initv</c> is redirected to <c>_ZSt15get_new_handlerv</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The image is not ELF64 little-endian or lacks version tables.</exception>
    public static ElfPatchResult Patch(ReadOnlySpan<byte> image, string version = DefaultVersion)
    {
        var elf = ElfImage.Parse(image);
        var patched = image.ToArray();

        ushort? versionIndex = null;
        foreach (var aux in elf.VersionNeedAuxEntries(image))
        {
            if (aux.Name != version) continue;
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(patched.AsSpan(aux.FlagsOffset));
            BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(aux.FlagsOffset), (ushort)(flags | VersionFlagWeak));
            versionIndex = aux.VersionIndex;
        }
        if (versionIndex is null)
        {
            return new ElfPatchResult(patched, VersionFound: false, Array.Empty<string>());
        }

        var dynsym = elf.Sections.FirstOrDefault(s => s.Type == SectionTypeDynSym)
            ?? throw new InvalidDataException("The ELF image has no .dynsym section.");
        var versym = elf.Sections.FirstOrDefault(s => s.Type == SectionTypeVersionSymbols)
            ?? throw new InvalidDataException("The ELF image has no .gnu.version section.");
        var dynstr = elf.Sections[(int)dynsym.Link];

        var symbolCount = (int)(dynsym.Size / 24);
        var rebound = new List<string>();
        for (var i = 0; i < symbolCount; i++)
        {
            var versymOffset = checked((int)versym.Offset + 2 * i);
            var index = BinaryPrimitives.ReadUInt16LittleEndian(patched.AsSpan(versymOffset));
            if ((index & 0x7fff) != versionIndex) continue;

            BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(versymOffset), VersionIndexGlobal);
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(patched.AsSpan(checked((int)dynsym.Offset + 24 * i)));
            var stringOffset = checked((int)dynstr.Offset + (int)nameOffset);
            var name = ElfImage.ReadCString(patched, stringOffset);
            if (name == MissingSymbol)
            {
                var replacement = Encoding.ASCII.GetBytes(HarmlessSymbol + "\0");
                replacement.CopyTo(patched.AsSpan(stringOffset));
                name = $"{MissingSymbol} -> {HarmlessSymbol}";
            }
            rebound.Add(name);
        }
        return new ElfPatchResult(patched, VersionFound: true, rebound);
    }

    private sealed record Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private sealed record VersionAux(string Name, int FlagsOffset, ushort VersionIndex);

    private sealed class ElfImage
    {
        private ElfImage(IReadOnlyList<Section> sections) => Sections = sections;

        public IReadOnlyList<Section> Sections { get; }

        public static ElfImage Parse(ReadOnlySpan<byte> image)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException("Not an ELF image.");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException("Only ELF64 little-endian images are supported.");

            var sectionTableOffset = BinaryPrimitives.ReadInt64LittleEndian(image[0x28..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3A..]);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3C..]);
            if (entrySize < 64 || sectionTableOffset <= 0 || sectionTableOffset + (long)entrySize * count > image.Length)
                throw new InvalidDataException("The ELF section header table is out of bounds.");

            var sections = new List<Section>(count);
            for (var i = 0; i < count; i++)
            {
                var header = image.Slice(checked((int)(sectionTableOffset + (long)i * entrySize)), 64);
                var section = new Section(
                    Type: BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                    Offset: BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
                    Size: BinaryPrimitives.ReadInt64LittleEndian(header[32..]),
                    Link: BinaryPrimitives.ReadUInt32LittleEndian(header[40..]),
                    Info: BinaryPrimitives.ReadUInt32LittleEndian(header[44..]));
                // SHT_NOBITS (8) sections occupy no file bytes; everything else must lie inside the file.
                if (section.Type != 8 && section.Type != 0 && (section.Offset < 0 || section.Offset + section.Size > image.Length))
                    throw new InvalidDataException($"ELF section {i} lies outside the file.");
                sections.Add(section);
            }
            return new ElfImage(sections);
        }

        public IEnumerable<VersionAux> VersionNeedAuxEntries(ReadOnlySpan<byte> image)
        {
            var result = new List<VersionAux>();
            var verneed = Sections.FirstOrDefault(s => s.Type == SectionTypeVersionNeed);
            if (verneed is null) return result;
            var strings = Sections[(int)verneed.Link];

            var entryOffset = verneed.Offset;
            for (var n = 0; n < verneed.Info; n++)
            {
                var entry = image[checked((int)entryOffset)..];
                var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
                var auxOffset = entryOffset + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                for (var a = 0; a < auxCount; a++)
                {
                    var aux = image[checked((int)auxOffset)..];
                    var name = ReadCString(image, checked((int)(strings.Offset + BinaryPrimitives.ReadUInt32LittleEndian(aux[8..]))));
                    result.Add(new VersionAux(name, checked((int)auxOffset + 4), BinaryPrimitives.ReadUInt16LittleEndian(aux[6..])));
                    auxOffset += BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
                }
                var next = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                if (next == 0) break;
                entryOffset += next;
            }
            return result;
        }

        public static string ReadCString(ReadOnlySpan<byte> image, int offset)
        {
            var end = image[offset..].IndexOf((byte)0);
            if (end < 0) throw new InvalidDataException("Unterminated string in the ELF string table.");
            return Encoding.ASCII.GetString(image.Slice(offset, end));
        }
    }
}

/// <param name="Image">The patched bytes.</param>
/// <param name="VersionFound">Whether the requested version requirement was present at all.</param>
/// <param name="ReboundSymbols">Symbols that were bound to that version, as patched.</param>
public sealed record ElfPatchResult(byte[] Image, bool VersionFound, IReadOnlyList<string> ReboundSymbols);
