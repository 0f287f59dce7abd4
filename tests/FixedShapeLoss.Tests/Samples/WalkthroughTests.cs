using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CrossEntropyWalkthrough;
using Xunit;

namespace FixedShapeLoss.Tests.Samples;

/// <summary>
/// The walkthrough sample against <c>Data/blog-walkthrough.txt</c> (everything PyTorch prints for the tutorial):
/// every tensor block of the reference appears in the sample's output, in order, character for character.
/// Headings and explanations between the blocks are allowed. The matcher itself is shown to reject
/// missing, reordered and altered blocks.
/// </summary>
public class WalkthroughTests
{
    private const string ReferenceFile = "blog-walkthrough.txt";

    private static string RunWalkthrough()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Walkthrough.Run(writer);
        return writer.ToString();
    }

    private static IReadOnlyList<string[]> ReferenceBlocks() => TensorBlocks.Parse(TestData.ReadText(ReferenceFile));

    // ---------------------------------------------------------------- the walkthrough

    [Fact]
    public void OutputContainsEveryTensorBlockOfTheReferenceInOrder()
    {
        string output = RunWalkthrough();
        IReadOnlyList<string[]> blocks = ReferenceBlocks();

        TensorBlocks.Match match = TensorBlocks.FindInOrder(output, blocks);

        Assert.True(match.Succeeded, match.Describe(blocks, output));
    }

    [Fact]
    public void OutputReproducesThePrintLayoutAroundTheBlocks()
    {
        // print("init"); print(labels, '\n'): the label line, the block with a trailing space, a blank line.
        string output = Normalize(RunWalkthrough());
        string reference = Normalize(TestData.ReadText(ReferenceFile));
        string[] layouts =
        [
            "init\ntensor([[0., 0., 0., 0., 0., 0., 0.],",
            "labels\ntensor([6, 2, 4, 3]) \n\none-hot encoding\ntensor([[0., 0., 0., 0., 0., 0., 1.],",
            "tensor([0.2099, 0.0712, 0.0556, 0.0639])\ntensor(2.4610) \n\n",
        ];
        foreach (string layout in layouts)
        {
            Assert.Contains(layout, reference, StringComparison.Ordinal);
            Assert.Contains(layout, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ModuleOnProbabilitiesPrintsWhatPyTorchPrints()
    {
        // nn.CrossEntropyLoss()(preds, labels) on normalized probabilities: PyTorch prints tensor(1.9682).
        string[] lines = Lines(RunWalkthrough());
        int labels = Array.IndexOf(lines, "tensor([5, 2, 2, 5])");
        Assert.True(labels >= 0);
        Assert.Equal("tensor(1.9682)", lines[labels + 1]);
    }

    [Fact]
    public void EachCorrectCallOnLogitsAgreesWithTheHandWrittenCrossEntropy()
    {
        // After each "... the same value" note the sample prints loss_fn(logits, labels) and the cross-entropy of
        // the matching probabilities; both must print the same.
        string[] lines = Lines(RunWalkthrough());
        int[] notes = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].StartsWith("-- ", StringComparison.Ordinal)
                && lines[i].EndsWith("the same value", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(2, notes.Length);
        foreach (int note in notes)
        {
            Assert.StartsWith("tensor(", lines[note + 1], StringComparison.Ordinal);
            Assert.Equal(lines[note + 1], lines[note + 2]);
        }
    }

    [Fact]
    public void OutputIsDeterministicAndIndependentOfTheCurrentCulture()
    {
        string invariant = RunWalkthrough();

        CultureInfo previous = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        comma.NumberFormat.NegativeSign = "\u2212";
        string underComma;
        try
        {
            CultureInfo.CurrentCulture = comma;
            underComma = RunWalkthrough();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(invariant, underComma);
        Assert.DoesNotContain("\r", invariant, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- the block parser

    [Fact]
    public void ParserFindsEveryTensorOfTheReference()
    {
        string reference = TestData.ReadText(ReferenceFile);
        IReadOnlyList<string[]> blocks = TensorBlocks.Parse(reference);

        int starts = Lines(reference).Count(l => l.StartsWith("tensor(", StringComparison.Ordinal));
        Assert.Equal(starts, blocks.Count);
        Assert.Equal(25, blocks.Count);
        Assert.Equal(new[] { "tensor([ 1.5410, -0.2934, -2.1788,  0.5684, -1.0845])" }, blocks[0]);
        Assert.Equal(
            new[] { "tensor([[-1.2075,  0.5493, -0.3856],", "        [ 0.6910, -0.7424,  0.1570]])" },
            blocks[2]);
        Assert.Equal(new[] { "tensor([6, 2, 4, 3]) " }, blocks[9]);
        Assert.Equal(new[] { "tensor(1.9682)" }, blocks[^1]);
        Assert.All(blocks, b => Assert.True(b.Length is 1 or 2 or 4));
    }

    [Fact]
    public void ParserRejectsAnUnclosedTensor()
    {
        Assert.Throws<FormatException>(() => TensorBlocks.Parse("tensor([[1., 2.],\n        [3., 4.]]"));
    }

    // ---------------------------------------------------------------- the matcher can fail

    [Fact]
    public void MatcherAcceptsTheReferenceAndTextBetweenBlocks()
    {
        IReadOnlyList<string[]> blocks = ReferenceBlocks();
        Assert.True(TensorBlocks.FindInOrder(TestData.ReadText(ReferenceFile), blocks).Succeeded);

        string interleaved = string.Join("\n", blocks.Select((b, i) => $"== heading {i} ==\nexplanation\n" + string.Join("\n", b)));
        Assert.True(TensorBlocks.FindInOrder(interleaved, blocks).Succeeded);

        string crlf = TestData.ReadText(ReferenceFile).Replace("\n", "\r\n", StringComparison.Ordinal);
        Assert.True(TensorBlocks.FindInOrder(crlf, blocks).Succeeded);
    }

    [Fact]
    public void MatcherRejectsAShuffledWalkthroughOutput()
    {
        string output = RunWalkthrough();
        IReadOnlyList<string[]> blocks = ReferenceBlocks();
        Assert.True(TensorBlocks.FindInOrder(output, blocks).Succeeded);

        // The sample's own tensors, in a fixed shuffled order, each once, with the text between them dropped.
        IReadOnlyList<string[]> printed = TensorBlocks.Parse(output);
        var random = new Random(20230714);
        string[][] shuffled = printed.ToArray();
        random.Shuffle(shuffled);
        Assert.NotEqual(printed.Select(b => string.Join("\n", b)), shuffled.Select(b => string.Join("\n", b)));
        string shuffledOutput = string.Join("\n", shuffled.Select(b => string.Join("\n", b))) + "\n";

        Assert.False(TensorBlocks.FindInOrder(shuffledOutput, blocks).Succeeded);
    }

    [Fact]
    public void MatcherRejectsTwoSwappedBlocks()
    {
        IReadOnlyList<string[]> blocks = ReferenceBlocks();
        // Blocks 8 (the zero matrix) and 9 (the labels [6, 2, 4, 3]) each appear once.
        string[][] swapped = blocks.ToArray();
        (swapped[8], swapped[9]) = (swapped[9], swapped[8]);
        string output = string.Join("\n", swapped.Select(b => string.Join("\n", b))) + "\n";

        TensorBlocks.Match match = TensorBlocks.FindInOrder(output, blocks);

        Assert.False(match.Succeeded);
        Assert.Equal(9, match.MissingBlock);
    }

    [Fact]
    public void MatcherRejectsAMissingBlock()
    {
        IReadOnlyList<string[]> blocks = ReferenceBlocks();
        // Drop the one block that appears only once: the row sums of the products.
        int dropped = Enumerable.Range(0, blocks.Count).Single(i => blocks[i][0] == "tensor([0.2099, 0.0712, 0.0556, 0.0639])");
        string output = string.Join("\n", blocks.Where((_, i) => i != dropped).Select(b => string.Join("\n", b)));

        TensorBlocks.Match match = TensorBlocks.FindInOrder(output, blocks);

        Assert.False(match.Succeeded);
        Assert.Equal(dropped, match.MissingBlock);
        Assert.Contains("tensor([0.2099, 0.0712, 0.0556, 0.0639])", match.Describe(blocks, output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tensor(1.9682)", "tensor(1.9683)")]                          // one digit
    [InlineData("tensor([6, 2, 4, 3]) ", "tensor([6, 2, 4, 3])")]              // the trailing space of print(x, '\n')
    [InlineData("        [ 0.6910, -0.7424,  0.1570]])", "        [0.6910, -0.7424, 0.1570]])")] // padding
    [InlineData("tensor([1.0000, 1.0000, 1.0000, 1.0000])", "tensor([1., 1., 1., 1.])")]             // float mode
    public void MatcherRejectsAnAlteredLine(string original, string altered)
    {
        string reference = TestData.ReadText(ReferenceFile);
        IReadOnlyList<string[]> blocks = TensorBlocks.Parse(reference);
        string[] lines = Lines(reference);
        int index = Array.IndexOf(lines, original);
        Assert.True(index >= 0, $"'{original}' is not a line of the reference");
        Assert.Equal(index, Array.LastIndexOf(lines, original));
        lines[index] = altered;

        Assert.False(TensorBlocks.FindInOrder(string.Join("\n", lines), blocks).Succeeded);
    }

    [Fact]
    public void MatcherRejectsABlockSplitByOtherText()
    {
        IReadOnlyList<string[]> blocks = ReferenceBlocks();
        string reference = Normalize(TestData.ReadText(ReferenceFile));
        string split = reference.Replace(
            "tensor([[-1.2075,  0.5493, -0.3856],\n",
            "tensor([[-1.2075,  0.5493, -0.3856],\n(a heading inside a tensor)\n",
            StringComparison.Ordinal);
        Assert.NotEqual(reference, split);

        Assert.False(TensorBlocks.FindInOrder(split, blocks).Succeeded);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string[] Lines(string text) => Normalize(text).Split('\n');
}

/// <summary>
/// Tensor blocks of printed PyTorch output and an in-order matcher. A block starts at a line beginning with
/// <c>tensor(</c> and ends at the line where that parenthesis closes; it is kept as whole lines (a trailing
/// space included). Line endings are normalized to <c>\n</c>.
/// </summary>
internal static class TensorBlocks
{
    private const string Start = "tensor(";

    /// <summary>The tensor blocks of <paramref name="text"/>, in order, each as its lines.</summary>
    /// <exception cref="FormatException">A block's parenthesis never closes.</exception>
    public static IReadOnlyList<string[]> Parse(string text)
    {
        string[] lines = SplitLines(text);
        var blocks = new List<string[]>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(Start, StringComparison.Ordinal))
            {
                continue;
            }

            int first = i;
            int depth = 0;
            while (true)
            {
                foreach (char c in lines[i])
                {
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                }
                if (depth <= 0)
                {
                    break;
                }
                if (++i == lines.Length)
                {
                    throw new FormatException($"The tensor starting at line {first + 1} never closes its parenthesis.");
                }
            }
            blocks.Add(lines[first..(i + 1)]);
        }
        return blocks;
    }

    /// <summary>
    /// Looks for every block of <paramref name="blocks"/> in <paramref name="output"/>, in order: each as
    /// consecutive whole lines, after the end of the previous one.
    /// </summary>
    public static Match FindInOrder(string output, IReadOnlyList<string[]> blocks)
    {
        string[] lines = SplitLines(output);
        int cursor = 0;
        for (int b = 0; b < blocks.Count; b++)
        {
            int at = IndexOf(lines, blocks[b], cursor);
            if (at < 0)
            {
                return new Match(b, cursor);
            }
            cursor = at + blocks[b].Length;
        }
        return new Match(-1, cursor);
    }

    private static int IndexOf(string[] lines, string[] block, int from)
    {
        for (int i = from; i + block.Length <= lines.Length; i++)
        {
            bool equal = true;
            for (int k = 0; k < block.Length && equal; k++)
            {
                equal = string.Equals(lines[i + k], block[k], StringComparison.Ordinal);
            }
            if (equal)
            {
                return i;
            }
        }
        return -1;
    }

    private static string[] SplitLines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    /// <summary>The outcome: the index of the first block not found after the previous one (-1 when all were
    /// found) and the output line the search for it started at.</summary>
    public readonly record struct Match(int MissingBlock, int FromLine)
    {
        public bool Succeeded => MissingBlock < 0;

        public string Describe(IReadOnlyList<string[]> blocks, string output)
        {
            if (Succeeded)
            {
                return "All blocks found in order.";
            }
            string[] lines = SplitLines(output);
            string rest = string.Join("\n", lines.Skip(FromLine).Take(40));
            return $"Tensor block {MissingBlock} of {blocks.Count} was not found at or after output line {FromLine + 1}:\n"
                + string.Join("\n", blocks[MissingBlock])
                + "\n--- output from that line on (first 40 lines) ---\n" + rest;
        }
    }
}
