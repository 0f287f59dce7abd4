using System;
using System.Text;

namespace FixedShapeLoss.Generator.Helpers;

/// <summary>Writes C# with four-space indentation and brace-delimited blocks; always "\n" line endings.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes each line of a multi-line string at the current indentation.</summary>
    public SourceWriter Lines(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }

        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and returns a scope that closes it.</summary>
    public Block Open(string header)
    {
        Line(header);
        return Open();
    }

    /// <summary>An opening brace alone (a block scope inside a method).</summary>
    public Block Open()
    {
        Line("{");
        _indent++;
        return new Block(this);
    }

    public override string ToString() => _builder.ToString();

    public readonly struct Block : IDisposable
    {
        private readonly SourceWriter _writer;

        public Block(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
