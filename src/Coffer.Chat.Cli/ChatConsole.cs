using System.Text;
using Spectre.Console;

namespace Coffer.Chat.Cli;

/// <summary>
/// The terminal while a session runs: an input line at the bottom (the prompt and what the user is typing) and
/// everything else printed above it. Output from any thread first clears the input line, prints, and draws the input
/// line again, so messages arriving while the user types never mix with the typed text.
/// </summary>
public sealed class ChatConsole
{
    private const string ClearLine = "\r\u001b[2K";

    private readonly Lock gate = new();
    private readonly StringBuilder input = new();
    private string prompt = "> ";
    private bool reading;

    /// <summary>The prompt (plain text) shown before the input.</summary>
    public string Prompt
    {
        get => prompt;
        set
        {
            lock (gate)
            {
                prompt = value;
                if (reading)
                {
                    Redraw();
                }
            }
        }
    }

    /// <summary>Prints one line of Spectre markup above the input line.</summary>
    public void Line(string markup)
    {
        lock (gate)
        {
            if (reading)
            {
                Console.Out.Write(ClearLine);
            }

            AnsiConsole.MarkupLine(markup);
            if (reading)
            {
                Redraw();
            }
        }
    }

    /// <summary>Prints a Spectre renderable (a table) above the input line.</summary>
    public void Write(Spectre.Console.Rendering.IRenderable renderable)
    {
        lock (gate)
        {
            if (reading)
            {
                Console.Out.Write(ClearLine);
            }

            AnsiConsole.Write(renderable);
            if (reading)
            {
                Redraw();
            }
        }
    }

    /// <summary>Prints plain text (no markup) as one line.</summary>
    public void Text(string text) => Line(Markup.Escape(text));

    /// <summary>
    /// Reads one line with the prompt at the bottom; null at end of input (Ctrl+D on an empty line, Ctrl+C, or stdin
    /// closed). Keys are read on a worker thread, so output from other threads keeps flowing meanwhile.
    /// </summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        if (Console.IsInputRedirected)
        {
            // Not a terminal (piped input): plain lines. WaitAsync: a blocked read must not hold up cancellation (see below).
            return await Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(ct);
        }

        lock (gate)
        {
            input.Clear();
            reading = true;
            Redraw();
        }

        try
        {
            while (true)
            {
                // Task.Run's token cannot stop a ReadKey that already blocks: WaitAsync lets the session end on
                // cancellation (SIGTERM, SIGINT) at once; the abandoned read is on a pool thread, which never keeps the
                // process alive.
                ConsoleKeyInfo key = await Task.Run(() => Console.ReadKey(intercept: true), CancellationToken.None).WaitAsync(ct);
                lock (gate)
                {
                    switch (key.Key)
                    {
                        case ConsoleKey.Enter:
                            string line = input.ToString();
                            input.Clear();
                            Console.Out.Write(ClearLine);
                            reading = false;
                            return line;
                        case ConsoleKey.Backspace:
                            if (input.Length > 0)
                            {
                                input.Length--;
                            }

                            break;
                        case ConsoleKey.Escape:
                            input.Clear();
                            break;
                        case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && input.Length == 0:
                        case ConsoleKey.C when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                            Console.Out.Write(ClearLine);
                            reading = false;
                            return null;
                        default:
                            if (!char.IsControl(key.KeyChar))
                            {
                                input.Append(key.KeyChar);
                            }

                            break;
                    }

                    Redraw();
                }
            }
        }
        finally
        {
            lock (gate)
            {
                reading = false;
            }
        }
    }

    private void Redraw()
    {
        Console.Out.Write(ClearLine);
        Console.Out.Write(prompt);
        Console.Out.Write(input.ToString());
        Console.Out.Flush();
    }
}
