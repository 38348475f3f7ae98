using System.Management.Automation.Host;

namespace LossLandscape.Shell;

/// <summary>
/// Only the buffer width matters to the formatter, which wraps tables to it. The screen-buffer operations
/// belong to full-screen UIs, which a batch shell does not offer.
/// </summary>
internal sealed class ShellRawUserInterface : PSHostRawUserInterface
{
    /// <summary>Width for output that is not a terminal, and for terminals that report none; pwsh uses the same.</summary>
    private const int DefaultWidth = 120;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override Coordinates CursorPosition { get; set; }

    public override Coordinates WindowPosition { get; set; }

    public override int CursorSize { get; set; }

    public override Size BufferSize
    {
        get => new(Width, short.MaxValue);
        set { }
    }

    public override Size WindowSize
    {
        get => new(Width, WindowHeight);
        set { }
    }

    public override Size MaxWindowSize => WindowSize;

    public override Size MaxPhysicalWindowSize => WindowSize;

    public override bool KeyAvailable => false;

    public override string WindowTitle { get; set; } = "LossLandscape";

    /// <summary>The terminal's width when output goes to one, so tables fit the window as in pwsh.</summary>
    internal static int Width => TerminalDimension(() => Console.WindowWidth) ?? DefaultWidth;

    private static int WindowHeight => TerminalDimension(() => Console.WindowHeight) ?? 50;

    public override KeyInfo ReadKey(ReadKeyOptions options) => throw NonInteractive();

    public override void FlushInputBuffer()
    {
    }

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw NonInteractive();

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw NonInteractive();

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw NonInteractive();

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw NonInteractive();

    private static int? TerminalDimension(Func<int> read)
    {
        if (Console.IsOutputRedirected)
        {
            return null;
        }

        try
        {
            var value = read();
            return value > 0 ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static NotSupportedException NonInteractive() =>
        new("The LossLandscape shell has no screen buffer or key input; it runs scripts non-interactively.");
}
