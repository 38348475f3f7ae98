using System.Diagnostics;
using System.Reflection;
using System.Runtime.Versioning;
using Xunit.Abstractions;

namespace LossLandscape.Shell.Tests;

/// <summary>One class of hostile files: what each must give (error id and category, or (null, null) to import), and the valid file read after them.</summary>
public sealed record HostileClass(string Name, string ValidFixture, Dictionary<string, (string? Id, string? Category)> Files);

/// <summary>
/// Reads every class of <see cref="HostileCheckpointTests"/> in one child shell, each class's files
/// followed by its own copy of a valid file (one child start instead of one per class keeps the suite
/// fast), and a tiny valid file in another child for the baseline peak RSS. Files that cannot be
/// committed are made here: FIFOs (mkfifo), a link to /dev/zero, and sparse 3 GB files (truncate) from
/// the heads the generator wrote. Those under no-architecture/ are read without -Architecture.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileCheckpointReads : IDisposable
{
    public const string TempPrefix = "temp/";
    private const string NoArchitectureFolder = "no-architecture";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static readonly string ReadOne =
        $"$architecture = if ($file -like '*/{NoArchitectureFolder}/*') {{ @{{}} }} else {{ @{{ Architecture = 'DigitsCnn' }} }}; Import-Checkpoint -LiteralPath $file @architecture";

    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("losslandscape-hostile-checkpoints-");

    public HostileCheckpointReads()
    {
        foreach (var fifo in new[] { "blocks.pt", "blocks.dat", "blocks.safetensors" })
        {
            using var mkfifo = Process.Start("mkfifo", [Path.Combine(temp.FullName, fifo)]);
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {fifo} failed.");
        }
        File.CreateSymbolicLink(Path.Combine(temp.FullName, "zero.pt"), "/dev/zero");
        Directory.CreateDirectory(Path.Combine(temp.FullName, NoArchitectureFolder));
        foreach (var name in new[] { "sparse-3gb.safetensors", "sparse-3gb-legacy.pt", "sparse-3gb-ours.dat" })
        {
            var path = Path.Combine(temp.FullName, NoArchitectureFolder, name);
            File.Copy(Fixture(name + ".head"), path);
            if (Path.GetExtension(name) == ".dat") File.Copy(Fixture(Path.ChangeExtension(name, ".json")), Path.ChangeExtension(path, ".json"));
            using var stream = File.OpenWrite(path);
            stream.SetLength(stream.Length + 3_000_000_000L);
        }

        BaselinePeak = ChildProcessReads.Run(ReadOne, [Fixture("valid-digits.pt")], Patience, temp.FullName).PeakResidentBytes;
        var files = new List<string>();
        foreach (var hostile in HostileCheckpointTests.Classes)
        {
            files.AddRange(hostile.Files.Keys.Select(Resolve));
            files.Add(ValidCopy(hostile));
        }
        Report = ChildProcessReads.Run(ReadOne, files, Patience, temp.FullName);
    }

    public long BaselinePeak { get; }

    internal ReadReport Report { get; }

    public void Dispose() => temp.Delete(recursive: true);

    /// <summary>A fixture name, a path made here (<see cref="TempPrefix"/>), or an absolute path such as /dev/zero.</summary>
    public string Resolve(string file) =>
        Path.IsPathRooted(file) ? file
        : file.StartsWith(TempPrefix, StringComparison.Ordinal) ? Path.Combine(temp.FullName, file[TempPrefix.Length..])
        : Fixture(file);

    /// <summary>The class's own copy of its valid file (with the .json of a .dat), so each class's is a distinct file in the report.</summary>
    public string ValidCopy(HostileClass hostile)
    {
        var folder = Path.Combine(temp.FullName, "valid-" + hostile.Name);
        var copy = Path.Combine(folder, hostile.ValidFixture);
        if (File.Exists(copy)) return copy;
        Directory.CreateDirectory(folder);
        File.Copy(Fixture(hostile.ValidFixture), copy);
        if (Path.GetExtension(copy) == ".dat") File.Copy(Path.ChangeExtension(Fixture(hostile.ValidFixture), ".json"), Path.ChangeExtension(copy, ".json"));
        return copy;
    }

    private static string Fixture(string name) => Path.Combine(
        typeof(HostileCheckpointReads).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LossLandscapeRepoRoot").Value!,
        "tests", "LossLandscape.Shell.Tests", "Fixtures", "Hostile", name);
}

/// <summary>
/// The hostile and malformed checkpoint files of Fixtures/Hostile (written by make_hostile_checkpoints.py),
/// one class of attack per test, read in a child shell (<see cref="HostileCheckpointReads"/>), each class
/// followed by a valid file: the child must survive, each file must be its expected error within
/// <see cref="PerFileLimit"/>, the valid file must still import, and the child's peak RSS must stay within
/// <see cref="MemoryMargin"/> of a child that imported one tiny valid file (the read budget is DigitsCnn's
/// state, or 4 × the file's size without -Architecture, plus 64 MiB).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileCheckpointTests(HostileCheckpointReads reads, ITestOutputHelper output) : IClassFixture<HostileCheckpointReads>
{
    private const string Corrupt = "CheckpointCorrupt";
    private const string Mismatch = "CheckpointArchitectureMismatch";
    private const string TooLarge = "CheckpointTooLarge";
    private const string NotRegular = "CheckpointNotRegularFile";

    /// <summary>The budget's fixed 64 MiB, and as much again for the runtime's own growth (JIT, error records, GC heaps).</summary>
    private const long MemoryMargin = 128L << 20;

    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(10);

    public static IReadOnlyList<HostileClass> Classes { get; } =
    [
        new("nesting", "valid-digits.pt", new()
        {
            ["nesting-tuple-key-100k.pt"] = (Corrupt, "InvalidData"),
            ["nesting-memo-hash-bomb.pt"] = (Corrupt, "InvalidData"),
            ["nesting-memo-hash-bomb-value.pt"] = (Corrupt, "InvalidData"),
            ["nesting-lists-100k.pt"] = (Corrupt, "InvalidData"),
            ["nesting-dicts-50k.pt"] = (Corrupt, "InvalidData"),
            ["nesting-tuples-100k-value.pt"] = (Corrupt, "InvalidData"),
        }),
        new("integers", "valid-digits-legacy.pt", new()
        {
            ["integers-shape-2pow31.pt"] = (Mismatch, "InvalidData"),
            ["integers-shape-2pow32.pt"] = (Mismatch, "InvalidData"),
            ["integers-shape-2pow63m1.pt"] = (Mismatch, "InvalidData"),
            ["integers-shape-2pow64.pt"] = (Corrupt, "InvalidData"),
            ["integers-numel-2pow32.pt"] = (Corrupt, "InvalidData"),
            ["integers-count-overflows-64-bits.pt"] = (Mismatch, "InvalidData"),
        }),
        new("budget", "valid-digits-expanded-view.pt", new()
        {
            ["budget-zero-stride-views.pt"] = (Mismatch, "InvalidData"),
            ["budget-strided-span.pt"] = (TooLarge, "LimitsExceeded"),
            ["budget-zip-bomb.pt"] = (TooLarge, "LimitsExceeded"),
            ["budget-zip-bomb-lying-size.pt"] = (TooLarge, "LimitsExceeded"),
            ["budget-legacy-zero-stride.pt"] = (Mismatch, "InvalidData"),
            ["budget-legacy-storage-2pow40.pt"] = (Corrupt, "InvalidData"),
        }),
        new("duplicate", "valid-digits.pt", new()
        {
            ["duplicate-data-pkl.pt"] = (Corrupt, "InvalidData"),
            ["duplicate-storage.pt"] = (Corrupt, "InvalidData"),
        }),
        new("dtypes", "valid-digits-f64.safetensors", new()
        {
            ["dtypes-conv1-I32.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-conv1-I16.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-conv1-U8.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-conv1-BOOL.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-conv1-I64.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-num-batches-tracked-F32.safetensors"] = (Mismatch, "InvalidData"),
            ["dtypes-conv1-int-storage.pt"] = (Mismatch, "InvalidData"),
            ["dtypes-unknown-F8.safetensors"] = (Corrupt, "InvalidData"),
            ["valid-digits-f16.safetensors"] = (null, null),
        }),
        new("dat", "valid-digits-dat.dat", new()
        {
            ["dat-flipped-byte.dat"] = ("CheckpointHashMismatch", "InvalidData"),
            ["dat-size-overflows.dat"] = (Corrupt, "InvalidData"),
            ["dat-3gb-declared.dat"] = (Corrupt, "InvalidData"),
            ["malformed-dat-truncated.dat"] = (Corrupt, "InvalidData"),
        }),
        // Without -Architecture nothing is expected: the budget is k × the file's size, and no array holds 3 GB.
        new("sparse", "valid-digits-dat.dat", new()
        {
            [HostileCheckpointReads.TempPrefix + "no-architecture/sparse-3gb.safetensors"] = (TooLarge, "LimitsExceeded"),
            [HostileCheckpointReads.TempPrefix + "no-architecture/sparse-3gb-legacy.pt"] = (TooLarge, "LimitsExceeded"),
            // Ours names its architecture in the side file: a state file far larger than its state is refused unread.
            [HostileCheckpointReads.TempPrefix + "no-architecture/sparse-3gb-ours.dat"] = (TooLarge, "LimitsExceeded"),
        }),
        new("special", "valid-digits.pt", new()
        {
            [HostileCheckpointReads.TempPrefix + "blocks.pt"] = (NotRegular, "InvalidArgument"),
            [HostileCheckpointReads.TempPrefix + "blocks.dat"] = (NotRegular, "InvalidArgument"),
            [HostileCheckpointReads.TempPrefix + "blocks.safetensors"] = (NotRegular, "InvalidArgument"),
            [HostileCheckpointReads.TempPrefix + "zero.pt"] = (NotRegular, "InvalidArgument"),
            ["/dev/zero"] = (NotRegular, "InvalidArgument"),
        }),
        new("malformed", "valid-digits.pt", new()
        {
            ["malformed-truncated-zip.pt"] = (Corrupt, "InvalidData"),
            ["malformed-truncated-pickle.pt"] = (Corrupt, "InvalidData"),
            ["malformed-truncated-legacy.pt"] = (Corrupt, "InvalidData"),
            ["malformed-bad-magic.pt"] = (Corrupt, "InvalidData"),
            ["malformed-empty.pt"] = (Corrupt, "InvalidData"),
            ["malformed-legacy-wrong-magic.pt"] = (Corrupt, "InvalidData"),
            ["malformed-big-endian.pt"] = (Corrupt, "InvalidData"),
            ["malformed-global-os-system.pt"] = ("CheckpointUnsafe", "SecurityError"),
            ["malformed-global-builtins-eval.pt"] = ("CheckpointUnsafe", "SecurityError"),
            ["malformed-stack-global-popen.pt"] = ("CheckpointUnsafe", "SecurityError"),
            ["malformed-inst-opcode.pt"] = ("CheckpointUnsafe", "SecurityError"),
            ["malformed-protocol-9.pt"] = (Corrupt, "InvalidData"),
            ["malformed-unknown-opcode.pt"] = (Corrupt, "InvalidData"),
            ["malformed-memo-never-stored.pt"] = (Corrupt, "InvalidData"),
            ["malformed-not-a-dict.pt"] = (Corrupt, "InvalidData"),
            ["malformed-shape-mismatch.pt"] = (Mismatch, "InvalidData"),
            ["malformed-missing-key.pt"] = (Mismatch, "InvalidData"),
            ["malformed-extra-key.pt"] = (Mismatch, "InvalidData"),
            ["malformed-storage-too-short.pt"] = (Corrupt, "InvalidData"),
            ["malformed-negative-stride.pt"] = (Corrupt, "InvalidData"),
            ["malformed-persistent-id.pt"] = (Corrupt, "InvalidData"),
            ["malformed-header-length-huge.safetensors"] = (Corrupt, "InvalidData"),
            ["malformed-header-not-json.safetensors"] = (Corrupt, "InvalidData"),
            ["malformed-offsets-overlap.safetensors"] = (Corrupt, "InvalidData"),
            ["malformed-offsets-past-end.safetensors"] = (Corrupt, "InvalidData"),
            ["malformed-truncated.safetensors"] = (Corrupt, "InvalidData"),
        }),
    ];

    [LinuxFact]
    public void DeepNestingAndMemoSharedKeysAreRefusedWithoutExhaustingTheStackOrHashingForever() => Check("nesting");

    [LinuxFact]
    public void SizesPast32And64BitsAreReadAsIntegersAndCheckedAgainstTheArchitecture() => Check("integers");

    [LinuxFact]
    public void ViewsAndRecordsLargerThanTheArchitectureAreRefusedBeforeAllocationAndExpandedViewsStayLegal() => Check("budget");

    [LinuxFact]
    public void AZipHoldingARecordTwiceIsCorrupt() => Check("duplicate");

    [LinuxFact]
    public void IntegerTensorsAreNeverCastToWeightsAndFloatsOfOtherWidthsImport() => Check("dtypes");

    [LinuxFact]
    public void OurStateFilesAreCheckedAgainstTheirRecordedHashAndDeclaredSizesCannotOverflow() => Check("dat");

    [LinuxFact]
    public void SparseThreeGigabyteTensorsAreAPerFileErrorWithinFourTimesTheFileSize() => Check("sparse");

    [LinuxFact]
    public void FifosAndDevicesAreRefusedWithoutOpeningThem() => Check("special");

    [LinuxFact]
    public void MalformedTruncatedAndCodeRunningFilesAreEachTheirErrorAndTheValidFileStillImports() => Check("malformed");

    private void Check(string name)
    {
        var hostile = Classes.Single(c => c.Name == name);
        var report = reads.Report;
        foreach (var file in report.Files) output.WriteLine($"{file.File}: {file.ErrorId ?? "imported"} {file.Category} {file.Seconds:F2} s");
        output.WriteLine($"exit {report.ExitCode}, peak RSS {report.PeakResidentBytes >> 20} MiB, baseline {reads.BaselinePeak >> 20} MiB");

        // The shell exits 1 when its last pipeline wrote an error; a crash (134), a kill (137) or a hang (the timeout) is anything else.
        Assert.True(report.ExitCode is 0 or 1, $"The child exited with {report.ExitCode}: {report.StdErr}");
        foreach (var (file, (id, category)) in hostile.Files)
        {
            var outcome = report[reads.Resolve(file)];
            Assert.True((id, category) == (outcome.ErrorId, outcome.Category), $"{file}: expected {id ?? "an import"} ({category}), got {outcome.ErrorId ?? "an import"} ({outcome.Category}).");
            Assert.True(outcome.Seconds < PerFileLimit.TotalSeconds, $"{file} took {outcome.Seconds:F1} s.");
        }
        Assert.Null(report[reads.ValidCopy(hostile)].ErrorId);
        Assert.InRange(report.PeakResidentBytes, 1, reads.BaselinePeak + MemoryMargin);
    }
}
