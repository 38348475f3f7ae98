using LossLandscape.Core.Sharpness;

namespace LossLandscape.Core.Tests.Sharpness;

public sealed class SharpnessReportTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("\tepoch", "'\tepoch")]
    [InlineData("-0.5", "-0.5")]
    [InlineData("-Infinity", "-Infinity")]
    [InlineData("1e-05", "1e-05")]
    [InlineData("epoch-010, final", "\"epoch-010, final\"")]
    public void ACellThatASpreadsheetWouldRunAsAFormulaIsTextAndNumbersStayNumbers(string value, string cell) =>
        Assert.Equal(cell, SharpnessReport.CsvCell(value));
}
