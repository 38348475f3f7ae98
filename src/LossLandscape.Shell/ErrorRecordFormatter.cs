using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace LossLandscape.Shell;

/// <summary>
/// Formats errors the way Windows PowerShell's NormalView did: message, script position, category and
/// FullyQualifiedErrorId. Done here rather than by the engine's error view because it needs format data and
/// cmdlets this engine does not ship, and because batch logs need the position and id, not just the message.
/// </summary>
internal static class ErrorRecordFormatter
{
    public static string Format(ErrorRecord record)
    {
        var text = new StringBuilder("ERROR: ").Append(Message(record));
        var position = record.InvocationInfo?.PositionMessage;
        if (!string.IsNullOrWhiteSpace(position))
        {
            text.AppendLine().Append(position);
        }

        text.AppendLine().Append("    + CategoryInfo          : ").Append(record.CategoryInfo);
        text.AppendLine().Append("    + FullyQualifiedErrorId : ").Append(record.FullyQualifiedErrorId);
        return text.ToString();
    }

    /// <summary>A syntax error in a -File script, found before it runs.</summary>
    public static string Format(ParseError error)
    {
        var position = error.Extent.StartScriptPosition;
        return $"""
            ERROR: {error.Message}
            At {error.Extent.File}:{position.LineNumber} char:{position.ColumnNumber}
            + {position.Line.TrimEnd()}
                + FullyQualifiedErrorId : {error.ErrorId}
            """;
    }

    private static string Message(ErrorRecord record)
    {
        if (!string.IsNullOrWhiteSpace(record.ErrorDetails?.Message))
        {
            return record.ErrorDetails.Message;
        }

        return record.Exception?.Message ?? record.ToString();
    }
}
