namespace LossLandscape.Plotting.Tests;

public sealed class PlotFileNameTests
{
    [Theory]
    [InlineData("ResNet-56_v2.1", "ResNet-56_v2.1")]
    [InlineData("../../x", "_.._x")]
    [InlineData("..\\..\\x", "_.._x")]
    [InlineData("/abs/x", "_abs_x")]
    [InlineData("C:\\Windows\\x", "C__Windows_x")]
    [InlineData("nul\0line\nbreak\r", "nul_line_break_")]
    [InlineData("ResNet–56 β", "ResNet_56__")]
    [InlineData(".hidden", "hidden")]
    [InlineData("..", PlotFileName.EmptyPart)]
    [InlineData("", PlotFileName.EmptyPart)]
    public void Free_text_becomes_a_name_without_separators(string text, string expected)
    {
        string part = PlotFileName.Part(text);

        Assert.Equal(expected, part);
        string folder = Path.Combine(Path.GetTempPath(), "plots");
        Assert.Equal(folder, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(folder, part + "-2d-lines.png"))));
    }

    [Fact]
    public void A_long_text_is_cut_to_the_longest_part()
    {
        Assert.Equal(new string('a', PlotFileName.MaxPartLength), PlotFileName.Part(new string('a', 10_000)));
    }
}
