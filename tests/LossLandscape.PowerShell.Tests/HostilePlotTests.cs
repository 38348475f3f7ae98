using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LossLandscape.Plotting.Tests;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// Surface files shared by others carry a free-text architecture, which names the plot file and goes
/// into the default title: it must neither choose where the file lands nor run as script in the page.
/// </summary>
public sealed class HostilePlotTests : IClassFixture<ModuleRunspace>, IDisposable
{
    private const string ScriptPayload = "</script><script>document.body.dataset.pwned=1</script><img src=x onerror=document.body.dataset.pwned=1>";

    private static readonly double[] Axis = [-1, -0.5, 0, 0.5, 1];

    private readonly ModuleRunspace shell;
    private readonly TempDirectory run = new();

    public HostilePlotTests(ModuleRunspace shell) => this.shell = shell;

    public void Dispose() => run.Dispose();

    /// <summary>A 5×5 surface file as LossLandscape writes it, with <paramref name="architecture"/> in its metadata.</summary>
    private string WriteSurfaceFile(string name, string architecture)
    {
        string path = run.Combine("shared", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        double[] loss = Axis.SelectMany(beta => Axis.Select(alpha => 0.2 + alpha * alpha + beta * beta)).ToArray();
        string metadata = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["checkpointSha256"] = "00",
            ["architecture"] = architecture,
            ["directions"] = Array.Empty<object>(),
            ["x"] = Axis,
            ["y"] = Axis,
            ["data"] = new[] { new { dataset = new { name = "Digits", split = "Train" }, sampleCount = 10 } },
        });
        var file = new PureHDF.H5File
        {
            ["xcoordinates"] = Axis,
            ["ycoordinates"] = Axis,
            ["train_loss"] = new PureHDF.H5Dataset(loss, fileDims: [5, 5]),
            ["computed"] = new PureHDF.H5Dataset(Enumerable.Repeat((byte)1, 25).ToArray(), fileDims: [5, 5]),
            ["dir_file"] = "",
        };
        file.Attributes["losslandscape_metadata"] = metadata;
        file.Write(path);
        return path;
    }

    /// <summary>Every file under the test's folder except the shared surface files, relative to that folder.</summary>
    private string[] FilesWritten() =>
        Directory.GetFiles(run.Path, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(run.Path, file))
            .Where(file => !file.StartsWith("shared" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void AHostileArchitectureNamesAFileInsideThePlotFolderOnly()
    {
        string plots = run.Combine("a", "b", "plots");
        Directory.CreateDirectory(plots);
        var cases = new (string Architecture, string FileName)[]
        {
            ("../../x", "_.._x-2d-lines.png"),
            ("..\\x", "_x-2d-lines.png"),
            (run.Combine("abs", "x"), PlotFileNameOf(run.Combine("abs", "x"))),
            ("nul\0byte", "nul_byte-2d-lines.png"),
            ("line\nbreak/../../../y", "line_break_.._.._.._y-2d-lines.png"),
            ("..", "surface-2d-lines.png"),
            // Cut to PlotFileName.MaxPartLength (100) characters.
            (ScriptPayload, "__script__script_document.body.dataset.pwned_1__script__img_src_x_onerror_document.body.dataset.pwne-2d-lines.png"),
        };
        var files = cases.Select((c, i) => WriteSurfaceFile($"hostile-{i}.h5", c.Architecture)).ToArray();

        var result = shell.Invoke(
            "foreach ($file in $files) { Import-LossSurface $file | Export-LandscapePlot -Path $plots -Force -PassThru -Verbose }",
            new Dictionary<string, object?> { ["files"] = files, ["plots"] = plots }).ShouldSucceed();

        string[] expected = cases.Select(c => Path.Combine("a", "b", "plots", c.FileName)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, result.Output.Select(o => Path.GetRelativePath(run.Path, ((FileInfo)o.BaseObject).FullName)).Order(StringComparer.Ordinal));
        Assert.Equal(expected, FilesWritten());
        Assert.All(expected, file => Assert.True(new FileInfo(run.Combine(file)).Length > 1000, $"{file} is not a drawn plot"));
        Assert.Contains(result.Verbose, v => v.Contains("the file is named after '_.._x'", StringComparison.Ordinal));
    }

    [Fact]
    public void AHostileArchitectureNamesTheGridFileInsideThePlotFolder()
    {
        string plots = run.Combine("plots");
        Directory.CreateDirectory(plots);
        var files = new[] { WriteSurfaceFile("first.h5", "../../grid"), WriteSurfaceFile("second.h5", "/etc/grid") };

        var result = shell.Invoke(
            "$files | ForEach-Object { Import-LossSurface $_ } | Export-LandscapePlot -Path $plots -Layout Grid -PassThru",
            new Dictionary<string, object?> { ["files"] = files, ["plots"] = plots }).ShouldSucceed();

        string expected = Path.Combine("plots", "_.._grid-2-panels.png");
        Assert.Equal(expected, Path.GetRelativePath(run.Path, ((FileInfo)Assert.Single(result.Output).BaseObject).FullName));
        Assert.Equal([expected], FilesWritten());
    }

    [Fact(DisplayName = "A hostile architecture in the default title runs no script in a browser (needs chromium at /usr/bin/chromium: .ci/run installs it)")]
    public void AHostileArchitectureInTheDefaultTitleRunsNoScript()
    {
        Assert.True(ChromiumScreenshot.IsAvailable, $"{ChromiumScreenshot.BinaryPath} is missing: a security test does not skip; install chromium.");
        string page = run.Combine("plots", "surface.html");
        Directory.CreateDirectory(Path.GetDirectoryName(page)!);
        var surface = WriteSurfaceFile("page.h5", ScriptPayload + "\u2028\"};document.body.dataset.pwned=1;//");

        shell.Invoke("Import-LossSurface $surface | Export-LandscapePlot -Path $page -Min -1 -Max 2",
            new Dictionary<string, object?> { ["surface"] = surface, ["page"] = page }).ShouldSucceed();
        string dom = ChromiumScreenshot.DumpDom(page, run.Combine("chromium-profile"), 800, 600);

        Assert.DoesNotContain("data-pwned", dom);
        Assert.DoesNotContain("<img", dom);
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Matches("<text[^>]*>[−-]1</text>", dom);
        string title = WebUtility.HtmlDecode(Regex.Match(dom, "<title>(?<text>.*?)</title>", RegexOptions.Singleline).Groups["text"].Value);
        Assert.StartsWith(ScriptPayload + "\u2028\"};document.body.dataset.pwned=1;//: train loss, 5×5 grid", title, StringComparison.Ordinal);
    }

    /// <summary>What the documented rule makes of an absolute path: separators (and a drive's colon) become '_'.</summary>
    private static string PlotFileNameOf(string absolutePath) => Regex.Replace(absolutePath, "[^A-Za-z0-9._-]", "_") + "-2d-lines.png";
}
