using System.Buffers.Binary;
using System.Management.Automation;
using System.Text.Json;

namespace LossLandscape.PowerShell.Tests;

/// <summary>Hugging Face GPT-2 folders (make_gpt_reference.py's fixtures) through Import-Checkpoint and Export-Checkpoint.</summary>
public sealed class HuggingFaceFolderTests(ModuleRunspace shell) : IClassFixture<ModuleRunspace>, IDisposable
{
    private static readonly string Fixtures = Path.Combine(ModuleRunspace.RepoRoot, "tests", "LossLandscape.Core.Tests", "Fixtures", "Gpt");
    private readonly TempDirectory run = new();

    public void Dispose() => run.Dispose();

    [Theory]
    [InlineData("hf-bf16")]
    [InlineData("hf-f16")]
    [InlineData("hf-f32")]
    public void AFolderImportedByLiteralPathExportsItsTensorsByteForByte(string folder)
    {
        var source = Path.Combine(Fixtures, folder);
        var output = Path.Combine(run.Path, folder + ".safetensors");
        var result = shell.Invoke("""
            $checkpoint = Import-Checkpoint -LiteralPath $source -Verbose
            '{0}|{1}|{2}|{3}' -f $checkpoint.Format, $checkpoint.Architecture, $checkpoint.ParameterCount, $checkpoint.TensorCount
            $checkpoint | Export-Checkpoint -Path $output
            """, new Dictionary<string, object?> { ["source"] = source, ["output"] = output }).ShouldSucceed();

        Assert.Equal("HuggingFace|Gpt|120576|28", Assert.Single(result.Output).ToString());
        Assert.Equal(folder == "hf-f32" ? 0 : 28, result.Verbose.Count(v => v.Contains("in the file and becomes float32", StringComparison.Ordinal)));
        // Both files hold GPT-2's 28 tensors in PyTorch's order, back to back: the data sections are the weights' bytes.
        Assert.Equal(DataSection(Path.Combine(source, "model.safetensors")), DataSection(output));
        Assert.Equal(HeaderEntries(Path.Combine(source, "model.safetensors")), HeaderEntries(output));
    }

    [Fact]
    public void ANanoGptCheckpointImportsWithoutArchitectureAndExportsInTheHuggingFaceLayout()
    {
        var output = Path.Combine(run.Path, "nanogpt.safetensors");
        var result = shell.Invoke("""
            $checkpoint = Import-Checkpoint -LiteralPath $source
            '{0}|{1}|{2}|{3}' -f $checkpoint.Format, $checkpoint.Architecture, $checkpoint.ParameterCount, $checkpoint.TensorCount
            $checkpoint | Export-Checkpoint -Path $output
            """, new Dictionary<string, object?> { ["source"] = Path.Combine(Fixtures, "nanogpt", "ckpt.pt"), ["output"] = output }).ShouldSucceed();

        Assert.Equal("PyTorch|Gpt|120576|28", Assert.Single(result.Output).ToString());
        // The generator wrote the same weights as hf-f32: the export is that file's Conv1D layout, byte for byte.
        Assert.Equal(DataSection(Path.Combine(Fixtures, "hf-f32", "model.safetensors")), DataSection(output));
        Assert.Equal(HeaderEntries(Path.Combine(Fixtures, "hf-f32", "model.safetensors")), HeaderEntries(output));
    }

    [Fact]
    public void AModelTheGptCannotComputeIsCheckpointUnsupportedAndThePipelineGoesOn()
    {
        var untied = UntiedCopy();
        var notAModel = Directory.CreateDirectory(Path.Combine(run.Path, "plain")).FullName;
        var huge = Copy("hf-sharded", "huge", "config.json", "\"vocab_size\": 256", "\"vocab_size\": 2000000000");
        var escaping = Copy("hf-sharded", "escaping", "model.safetensors.index.json", "\"wte.weight\": \"model-00001-of-00002.safetensors\"", "\"wte.weight\": \"../hf-f32/model.safetensors\"");
        // A nanoGPT run's ckpt.pt given as another architecture: its names are GPT-2's, its shape only in model_args.
        var nanoGptAsDigits = Path.Combine(Fixtures, "nanogpt", "ckpt.pt");
        var inputs = new[] { nanoGptAsDigits, untied, notAModel, huge, escaping, Path.Combine(Fixtures, "hf-f16") };

        var result = shell.Invoke("$inputs | ForEach-Object { if ($_ -like '*.pt') { Import-Checkpoint -LiteralPath $_ -Architecture DigitsCnn } else { Import-Checkpoint -LiteralPath $_ } }", new Dictionary<string, object?> { ["inputs"] = inputs });

        Assert.Null(result.Terminating);
        Assert.Equal(inputs[^1], Assert.Single(result.Output).Properties["Path"].Value);
        Assert.Equal(
            [
                ("CheckpointUnsupported", ErrorCategory.NotImplemented, inputs[0]),
                ("CheckpointUnsupported", ErrorCategory.NotImplemented, inputs[1]),
                ("CheckpointIsDirectory", ErrorCategory.InvalidArgument, inputs[2]),
                ("CheckpointTooLarge", ErrorCategory.LimitsExceeded, inputs[3]),
                ("CheckpointCorrupt", ErrorCategory.InvalidData, inputs[4]),
            ],
            result.Errors.Select(e => (e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category, (string)e.TargetObject)));
        Assert.Contains("Import a nanoGPT ckpt.pt without -Architecture", result.Errors[0].Exception.Message);
        Assert.Contains("untied output heads are not supported", result.Errors[1].Exception.Message);
        Assert.Contains("nor a Hugging Face folder (it has no config.json)", result.Errors[2].Exception.Message);
        Assert.Contains("describes a GPT-2 of 128000104192 parameters", result.Errors[3].Exception.Message);
        Assert.Contains("maps 'wte.weight' to \"../hf-f32/model.safetensors\", which is not the name of a .safetensors file in the same folder", result.Errors[4].Exception.Message);
    }

    /// <summary>A copy of a fixture folder with one text replaced in one of its files.</summary>
    private string Copy(string fixture, string name, string file, string text, string replacement)
    {
        var folder = CopyFixture(fixture, name);
        var path = Path.Combine(folder, file);
        var content = File.ReadAllText(path);
        Assert.Contains(text, content);
        File.WriteAllText(path, content.Replace(text, replacement, StringComparison.Ordinal));
        return folder;
    }

    [Fact]
    public void AWildcardOverAParentImportsEachFolderOnce()
    {
        var result = shell.Invoke("Import-Checkpoint $pattern | ForEach-Object { '{0}|{1}' -f $_.Name, $_.Format }", new Dictionary<string, object?> { ["pattern"] = Path.Combine(Fixtures, "hf-*") }).ShouldSucceed();

        Assert.Equal(["hf-bf16|HuggingFace", "hf-f16|HuggingFace", "hf-f32|HuggingFace", "hf-legacy|HuggingFace", "hf-prefixed|HuggingFace", "hf-sharded|HuggingFace"],
            result.Output.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ADeserializedFolderCheckpointIsRebuiltAndRefusedOnceAShardChanged()
    {
        var folder = CopyFixture("hf-sharded", "travelling");
        var variables = new Dictionary<string, object?> { ["folder"] = folder, ["output"] = Path.Combine(run.Path, "travelled.safetensors") };
        var serialized = shell.Invoke("[System.Management.Automation.PSSerializer]::Serialize((Import-Checkpoint -LiteralPath $folder))", variables).ShouldSucceed().Output.Single().ToString();
        variables["serialized"] = serialized;

        var rebuilt = shell.Invoke("[System.Management.Automation.PSSerializer]::Deserialize($serialized) | Export-Checkpoint -Path $output -PassThru | ForEach-Object Length", variables).ShouldSucceed();
        var shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        bytes[^1] ^= 1;
        File.WriteAllBytes(shard, bytes);
        var changed = shell.Invoke("[System.Management.Automation.PSSerializer]::Deserialize($serialized) | Export-Checkpoint -Path $output -Force", variables);

        Assert.Equal(new FileInfo((string)variables["output"]!).Length, (long)Assert.Single(rebuilt.Output).BaseObject);
        Assert.Contains("changed since the object was made", Assert.Single(changed.Errors).Exception.Message);
    }

    private string CopyFixture(string fixture, string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(run.Path, name)).FullName;
        foreach (var source in Directory.GetFiles(Path.Combine(Fixtures, fixture))) File.Copy(source, Path.Combine(folder, Path.GetFileName(source)));
        return folder;
    }

    /// <summary>hf-prefixed with the last byte of its lm_head.weight flipped: a head that is no longer wte.</summary>
    private string UntiedCopy()
    {
        var folder = CopyFixture("hf-prefixed", "untied");
        var path = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var end = header.RootElement.GetProperty("lm_head.weight").GetProperty("data_offsets")[1].GetInt32();
        bytes[8 + headerLength + end - 1] ^= 1;
        File.WriteAllBytes(path, bytes);
        return folder;
    }

    private static byte[] DataSection(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[(8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes))..];
    }

    private static string[] HeaderEntries(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes)));
        return header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => $"{p.Name} {p.Value.GetProperty("dtype").GetString()} {p.Value.GetProperty("shape").GetRawText()} {p.Value.GetProperty("data_offsets").GetRawText()}").ToArray();
    }
}
