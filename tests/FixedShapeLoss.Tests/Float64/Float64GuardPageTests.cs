using System;
using System.Collections.Generic;
using System.Linq;
using FixedShapeLoss.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace FixedShapeLoss.Tests.Float64;

// Shapes for the lanes = rows layout of the double kernels (RowTiles): groups of 2 (128-bit), 4 (256-bit) and 8
// (512-bit) rows, full and partial last groups, 1 to 16 classes and the first width past it.
[LossKernel(Batch = 2, Classes = 2, ElementType = typeof(double))] public partial class G64x2x2 : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 16, ElementType = typeof(double))] public partial class G64x3x16 : ILossKernel64 { }
[LossKernel(Batch = 5, Classes = 2, ElementType = typeof(double))] public partial class G64x5x2 : ILossKernel64 { }
[LossKernel(Batch = 7, Classes = 9, ElementType = typeof(double))] public partial class G64x7x9 : ILossKernel64 { }
[LossKernel(Batch = 9, Classes = 3, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class G64x9x3Sum : ILossKernel64 { }
[LossKernel(Batch = 12, Classes = 5, ElementType = typeof(double))] public partial class G64x12x5 : ILossKernel64 { }
[LossKernel(Batch = 17, Classes = 16, ElementType = typeof(double), IgnoreIndex = 2)] public partial class G64x17x16Ignore2 : ILossKernel64 { }

/// <summary>
/// The guard-page test (see <see cref="GuardPageTests"/>) for the double kernels: the spans of the cross-entropy
/// members, the softmaxes and the backward members (out of place and in place) placed right after and right before a
/// page mapped with no access; the inputs read-only during the call. Same bits as on ordinary arrays, and in place the
/// same bits as out of place. Linux only (mmap/mprotect); CI reruns it with AVX-512, AVX2 and SIMD switched off.
/// </summary>
public sealed class Float64GuardPageTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly GuardedMemory? _memory;
    private readonly List<string> _failures = new();

    public Float64GuardPageTests(ITestOutputHelper output)
    {
        _output = output;
        if (OperatingSystem.IsLinux())
        {
            _memory = new GuardedMemory(5, 300 * 40 * sizeof(double));
        }
    }

    public void Dispose() => _memory?.Dispose();

    [Fact]
    public void EverySpanStaysInsideItsBounds()
    {
        if (_memory is null)
        {
            _output.WriteLine("Skipped: guard pages need mmap/mprotect (Linux).");
            return;
        }

        Check<G64x2x2>(2, 2, -100);
        Check<G64x3x16>(3, 16, -100);
        Check<G64x5x2>(5, 2, -100);
        Check<G64x7x9>(7, 9, -100);
        Check<G64x9x3Sum>(9, 3, -100);
        Check<G64x12x5>(12, 5, -100);
        Check<G64x17x16Ignore2>(17, 16, 2);
        Check<D4x7>(4, 7, -100);
        Check<D3x5>(3, 5, -100);
        Check<D1x2Sum>(1, 2, -100);
        Check<D16x17>(16, 17, -100);
        Check<D32x10>(32, 10, -100);
        Check<D8x4SumIgnore1>(8, 4, 1);
        Check<D5x3Smooth>(5, 3, -100);
        Assert.True(_failures.Count == 0, $"{_failures.Count} results differ:\n" + string.Join("\n", _failures.Take(30)));
    }

    private void Check<K>(int batch, int classes, int ignoreIndex)
        where K : ILossKernel64
    {
        foreach (bool atEnd in new[] { false, true })
        {
            Check<K>(batch, classes, ignoreIndex, atEnd);
        }
    }

    private void Check<K>(int batch, int classes, int ignoreIndex, bool atEnd)
        where K : ILossKernel64
    {
        var memory = _memory!;
        var random = new Random((batch * 1000) + classes);
        int n = batch * classes;
        double[] logits = Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 8) - 4).ToArray();
        int[] targets = Enumerable.Range(0, batch).Select(i => batch >= 3 && i == batch / 2 && ignoreIndex < 0 ? ignoreIndex : random.Next(classes)).ToArray();
        double[] weight = Enumerable.Range(0, classes).Select(_ => 0.5 + random.NextDouble()).ToArray();
        string where = $"{typeof(K).Name} ({(atEnd ? "spans end at a guard page" : "spans start after a guard page")})";

        foreach (var (name, map) in new (string, Action<ReadOnlySpan<double>, Span<double>>)[] { ("Softmax", K.Softmax), ("LogSoftmax", K.LogSoftmax) })
        {
            double[] expected = new double[n];
            map(logits, expected);
            var x = memory.Place<double>(0, logits, atEnd);
            var d = memory.Place<double>(1, new double[n], atEnd);
            using (memory.ReadOnly(0, 1))
            {
                map(x, d);
            }

            Same(expected, d, where, name);
            map(x, x);
            Same(expected, x, where, name + " in place");
        }

        {
            var x = memory.Place<double>(0, logits, atEnd);
            var t = memory.Place<int>(1, targets, atEnd);
            using (memory.ReadOnly(0, 2))
            {
                Same(new[] { K.CrossEntropyLoss(logits, targets) }, new[] { K.CrossEntropyLoss(x, t) }, where, "CrossEntropyLoss");
            }
        }

        var backward = new (string Name, Func<Span<double>, Span<int>, Span<double>, Span<double>, double> Call)[]
        {
            ("CrossEntropyLossBackward", (x, t, w, g) => K.CrossEntropyLossBackward(x, t, g)),
            ("CrossEntropyLossBackward(weight)", (x, t, w, g) => K.CrossEntropyLossBackward(x, t, w, g)),
        };
        foreach (var (name, call) in backward)
        {
            double[] expected = new double[n];
            double loss = call((double[])logits.Clone(), targets, weight, expected);
            var x = memory.Place<double>(0, logits, atEnd);
            var t = memory.Place<int>(1, targets, atEnd);
            var w = memory.Place<double>(2, weight, atEnd);
            var g = memory.Place<double>(3, new double[n], atEnd);
            double guarded;
            using (memory.ReadOnly(0, 3))
            {
                guarded = call(x, t, w, g);
            }

            Same(new[] { loss }, new[] { guarded }, where, name);
            Same(expected, g, where, name + " gradient");
            guarded = call(x, t, w, x);
            Same(new[] { loss }, new[] { guarded }, where, name + " in place");
            Same(expected, x, where, name + " in place, gradient");
        }
    }

    private void Same(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string where, string member)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                _failures.Add($"{where}: {member}[{i}] is {actual[i]:R}, on ordinary arrays {expected[i]:R}");
                return;
            }
        }
    }
}
