using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>
/// Every span of every generated member placed right after and right before a page mapped with no access
/// (<c>mmap</c> + <c>mprotect</c>, Linux only): a kernel that reads or writes one float outside a span it was
/// given crashes the test process (SIGSEGV), whatever the value it would have found there. The input spans are
/// read-only pages during the call (a write to an input crashes too). Each call's results must have the same bits
/// as the same call on ordinary arrays, and the backward members and the softmaxes run in place as well
/// (gradient = logits, destination = logits) with the same bits. The members cover the cross-entropy set and the loss
/// family (NllLoss, BinaryCrossEntropyWithLogitsLoss, BinaryCrossEntropyLoss: weights, per-sample and per-element,
/// backward in and out of place; valid inputs: log-probabilities, targets in [0, 1] with exact 0 and 1). Shapes: every Batch x Classes up to 9 x 16, plain
/// and with label smoothing (the Guard* classes of KernelShapes.cs), and a few larger ones; both kernel sets (the
/// generic helpers of C# 11 and later, the non-generic ones of C# 10). CI reruns it with AVX-512, AVX2 and all
/// hardware intrinsics switched off, so every path is placed against the guard pages.
/// </summary>
public abstract class GuardPageTests : IDisposable
{
    private const int Regions = 5; // logits, targets, weight, gradient, soft targets
    private readonly ITestOutputHelper _output;
    private readonly GuardedMemory? _memory;
    private readonly List<string> _failures = new();
    private readonly bool _csharp10;

    protected GuardPageTests(ITestOutputHelper output, bool csharp10)
    {
        _csharp10 = csharp10;
        _output = output;
        if (OperatingSystem.IsLinux())
        {
            _memory = new GuardedMemory(Regions, 300 * 40 * sizeof(float));
        }
    }

    public void Dispose()
    {
        _memory?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void EverySpanStaysInsideItsBounds()
    {
        if (_memory is null)
        {
            _output.WriteLine("Skipped: guard pages need mmap/mprotect (Linux).");
            return;
        }

        var kernels = KernelAdapter.All("Guard", _csharp10).ToList();
        Assert.True(kernels.Count >= 9 * 15 * 2, $"expected every guard shape, found {kernels.Count}");
        foreach (var kernel in kernels)
        {
            foreach (bool atEnd in new[] { false, true })
            {
                Check(kernel, atEnd);
            }
        }

        Assert.True(_failures.Count == 0, $"{_failures.Count} results differ from the same call on ordinary arrays:\n" + string.Join("\n", _failures.Take(30)));
    }

    /// <summary>Every member of <paramref name="k"/> with each span starting right after a guard page
    /// (<paramref name="atEnd"/> false) or ending right before one (true).</summary>
    private void Check(KernelAdapter k, bool atEnd)
    {
        var memory = _memory!;
        var inputs = new Inputs(k);
        string where = $"{k} ({(atEnd ? "spans end at a guard page" : "spans start after a guard page")})";
        int n = k.Length, b = k.Batch, c = k.Classes;

        // Normalize: in place, the one span is read and written.
        {
            float[] expected = (float[])inputs.Probabilities.Clone();
            k.Normalize(expected);
            var values = memory.Place<float>(0, inputs.Probabilities, atEnd);
            k.Normalize(values);
            AssertBits(expected, values, where, "Normalize");
        }

        foreach (var (name, map) in new[] { ("Softmax", k.Softmax), ("LogSoftmax", k.LogSoftmax) })
        {
            float[] expected = new float[n];
            map(inputs.Logits, expected);
            var x = memory.Place<float>(0, inputs.Logits, atEnd);
            var d = memory.Place<float>(1, new float[n], atEnd);
            using (memory.ReadOnly(0, 1))
            {
                map(x, d);
            }

            AssertBits(expected, d, where, name);
            map(x, x); // in place
            AssertBits(expected, x, where, name + " in place");
        }

        {
            float[] expected = new float[n];
            k.OneHot(inputs.Labels, expected);
            var labels = memory.Place<int>(0, inputs.Labels, atEnd);
            var d = memory.Place<float>(1, new float[n], atEnd);
            using (memory.ReadOnly(0, 1))
            {
                k.OneHot(labels, d);
            }

            AssertBits(expected, d, where, "OneHot");

            var oneHot = memory.Place<float>(0, inputs.OneHot, atEnd);
            var back = memory.Place<int>(1, new int[b], atEnd);
            using (memory.ReadOnly(0, 1))
            {
                k.Labels(oneHot, back);
            }

            if (!inputs.Labels.AsSpan().SequenceEqual(back))
            {
                _failures.Add($"{where}: Labels");
            }
        }

        {
            var p = memory.Place<float>(0, inputs.Probabilities, atEnd);
            var labels = memory.Place<int>(1, inputs.Labels, atEnd);
            var oneHot = memory.Place<float>(2, inputs.OneHot, atEnd);
            using (memory.ReadOnly(0, 3))
            {
                AssertBits(k.CrossEntropy(inputs.Probabilities, inputs.Labels), k.CrossEntropy(p, labels), where, "CrossEntropy(labels)");
            }
            using (memory.ReadOnly(0, 3))
            {
                AssertBits(k.CrossEntropy(inputs.Probabilities, inputs.OneHot), k.CrossEntropy(p, oneHot), where, "CrossEntropy(oneHot)");
            }
        }

        {
            var x = memory.Place<float>(0, inputs.Logits, atEnd);
            var t = memory.Place<int>(1, inputs.Targets, atEnd);
            var w = memory.Place<float>(2, inputs.Weight, atEnd);
            using (memory.ReadOnly(0, 3))
            {
                AssertBits(k.CrossEntropyLoss(inputs.Logits, inputs.Targets), k.CrossEntropyLoss(x, t), where, "CrossEntropyLoss");
            }
            using (memory.ReadOnly(0, 3))
            {
                AssertBits(k.CrossEntropyLoss(inputs.Logits, inputs.Targets, inputs.Weight), k.CrossEntropyLoss(x, t, w), where, "CrossEntropyLoss(weight)");
            }
            var soft = memory.Place<float>(1, inputs.Soft, atEnd);
            using (memory.ReadOnly(0, 3))
            {
                AssertBits(k.CrossEntropyLoss(inputs.Logits, inputs.Soft), k.CrossEntropyLoss(x, soft), where, "CrossEntropyLoss(soft)");
            }
        }

        {
            float[] expected = new float[b], expectedWeighted = new float[b];
            k.CrossEntropyLossPerSample(inputs.Logits, inputs.Targets, expected);
            k.CrossEntropyLossPerSample(inputs.Logits, inputs.Targets, inputs.Weight, expectedWeighted);
            var x = memory.Place<float>(0, inputs.Logits, atEnd);
            var t = memory.Place<int>(1, inputs.Targets, atEnd);
            var w = memory.Place<float>(2, inputs.Weight, atEnd);
            var losses = memory.Place<float>(3, new float[b], atEnd);
            using (memory.ReadOnly(0, 3))
            {
                k.CrossEntropyLossPerSample(x, t, losses);
            }

            AssertBits(expected, losses, where, "CrossEntropyLossPerSample");
            using (memory.ReadOnly(0, 3))
            {
                k.CrossEntropyLossPerSample(x, t, w, losses);
            }

            AssertBits(expectedWeighted, losses, where, "CrossEntropyLossPerSample(weight)");
        }

        // The three backward members, out of place (inputs read-only) and in place (gradient = logits).
        var backward = new (string Name, Func<Span<float>, Span<int>, Span<float>, Span<float>, Span<float>, float> Call)[]
        {
            ("CrossEntropyLossBackward", (x, t, w, soft, g) => k.CrossEntropyLossBackward(x, t, g)),
            ("CrossEntropyLossBackward(weight)", (x, t, w, soft, g) => k.CrossEntropyLossBackward(x, t, w, g)),
            ("CrossEntropyLossBackward(soft)", (x, t, w, soft, g) => k.CrossEntropyLossBackward(x, soft, g)),
        };
        foreach (var (name, call) in backward)
        {
            float[] expected = new float[n];
            float loss = call((float[])inputs.Logits.Clone(), inputs.Targets, inputs.Weight, inputs.Soft, expected);
            var x = memory.Place<float>(0, inputs.Logits, atEnd);
            var t = memory.Place<int>(1, inputs.Targets, atEnd);
            var w = memory.Place<float>(2, inputs.Weight, atEnd);
            var soft = memory.Place<float>(4, inputs.Soft, atEnd);
            var g = memory.Place<float>(3, new float[n], atEnd);
            float guardedLoss;
            using (memory.ReadOnly(0, 3))
            using (memory.ReadOnly(4, 1))
            {
                guardedLoss = call(x, t, w, soft, g);
            }

            AssertBits(loss, guardedLoss, where, name);
            AssertBits(expected, g, where, name + " gradient");

            guardedLoss = call(x, t, w, soft, x);
            AssertBits(expected, x, where, name + " in place, gradient");
            if (name == "CrossEntropyLossBackward" && k.LabelSmoothing == 0f)
            {
                // The loss in place of the weighted, soft-target and smoothed members is the generator's (issue 10).
                AssertBits(loss, guardedLoss, where, name + " in place");
            }
        }

        CheckFamily(k, inputs, where, atEnd);
    }

    private delegate float FamilyMember(ReadOnlySpan<float> x, ReadOnlySpan<int> t, ReadOnlySpan<float> y, ReadOnlySpan<float> w, Span<float> output);

    /// <summary>The loss family (NLLLoss, BCEWithLogitsLoss, BCELoss): every member against the guard pages, each
    /// backward member out of place and in place.</summary>
    private void CheckFamily(KernelAdapter k, Inputs inputs, string where, bool atEnd)
    {
        int n = k.Length, b = k.Batch;
        float[] logProbabilities = inputs.LogProbabilities, logits = inputs.Logits, probabilities = inputs.BceProbabilities;
        float[] binary = inputs.BinaryTargets, weight = inputs.Weight;
        float[] none = Array.Empty<float>();
        int[] targets = inputs.Targets, noTargets = Array.Empty<int>();
        RunFamily(where, atEnd, "NllLoss", logProbabilities, targets, none, none, 0, false, (x, t, y, w, o) => k.NllLoss(x, t));
        RunFamily(where, atEnd, "NllLoss(weight)", logProbabilities, targets, none, weight, 0, false, (x, t, y, w, o) => k.NllLoss(x, t, w));
        RunFamily(where, atEnd, "NllLossPerSample", logProbabilities, targets, none, none, b, false, (x, t, y, w, o) => { k.NllLossPerSample(x, t, o); return 0; });
        RunFamily(where, atEnd, "NllLossBackward", logProbabilities, targets, none, none, n, true, (x, t, y, w, o) => k.NllLossBackward(x, t, o));
        RunFamily(where, atEnd, "NllLossBackward(weight)", logProbabilities, targets, none, weight, n, true, (x, t, y, w, o) => k.NllLossBackward(x, t, w, o));
        RunFamily(where, atEnd, "BinaryCrossEntropyWithLogitsLoss", logits, noTargets, binary, none, 0, false, (x, t, y, w, o) => k.BinaryCrossEntropyWithLogitsLoss(x, y));
        RunFamily(where, atEnd, "BinaryCrossEntropyWithLogitsLoss(posWeight)", logits, noTargets, binary, weight, 0, false, (x, t, y, w, o) => k.BinaryCrossEntropyWithLogitsLoss(x, y, w));
        RunFamily(where, atEnd, "BinaryCrossEntropyWithLogitsLossPerElement", logits, noTargets, binary, none, n, false,
            (x, t, y, w, o) => { k.BinaryCrossEntropyWithLogitsLossPerElement(x, y, o); return 0; });
        RunFamily(where, atEnd, "BinaryCrossEntropyWithLogitsLossBackward", logits, noTargets, binary, none, n, true, (x, t, y, w, o) => k.BinaryCrossEntropyWithLogitsLossBackward(x, y, o));
        RunFamily(where, atEnd, "BinaryCrossEntropyWithLogitsLossBackward(posWeight)", logits, noTargets, binary, weight, n, true,
            (x, t, y, w, o) => k.BinaryCrossEntropyWithLogitsLossBackward(x, y, w, o));
        RunFamily(where, atEnd, "BinaryCrossEntropyLoss", probabilities, noTargets, binary, none, 0, false, (x, t, y, w, o) => k.BinaryCrossEntropyLoss(x, y));
        RunFamily(where, atEnd, "BinaryCrossEntropyLossPerElement", probabilities, noTargets, binary, none, n, false, (x, t, y, w, o) => { k.BinaryCrossEntropyLossPerElement(x, y, o); return 0; });
        RunFamily(where, atEnd, "BinaryCrossEntropyLossBackward", probabilities, noTargets, binary, none, n, true, (x, t, y, w, o) => k.BinaryCrossEntropyLossBackward(x, y, o));
    }

    /// <summary>Calls <paramref name="member"/> with x, t, w and y read-only against the guard pages and the output
    /// writable against them; the loss and the output must have the bits of the same call on ordinary arrays. A backward
    /// member runs in place too (the gradient span is x, writable against the guard page) with the same bits.</summary>
    private void RunFamily(string where, bool atEnd, string name, float[] x, int[] t, float[] y, float[] w, int outputLength, bool backward, FamilyMember member)
    {
        var memory = _memory!;
        float[] expectedOutput = new float[outputLength];
        float expected = member(x, t, y, w, expectedOutput);
        var gx = memory.Place<float>(0, x, atEnd);
        var gt = memory.Place<int>(1, t, atEnd);
        var gw = memory.Place<float>(2, w, atEnd);
        var gy = memory.Place<float>(4, y, atEnd);
        var output = memory.Place<float>(3, new float[outputLength], atEnd);
        float actual;
        using (memory.ReadOnly(0, 3))
        using (memory.ReadOnly(4, 1))
        {
            actual = member(gx, gt, gy, gw, output);
        }

        AssertBits(expected, actual, where, name);
        AssertBits(expectedOutput, output, where, name + " output");
        if (backward)
        {
            var inPlace = memory.Place<float>(3, x, atEnd);
            using (memory.ReadOnly(0, 3))
            using (memory.ReadOnly(4, 1))
            {
                actual = member(inPlace, gt, gy, gw, inPlace);
            }

            AssertBits(expected, actual, where, name + " in place");
            AssertBits(expectedOutput, inPlace, where, name + " in place, gradient");
        }
    }

    private void AssertBits(float expected, float actual, string where, string member)
    {
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
        {
            _failures.Add($"{where}: {member} gave {actual:R}, on ordinary arrays {expected:R}");
        }
    }

    private void AssertBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string where, string member)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                _failures.Add($"{where}: {member}[{i}] is {actual[i]:R}, on ordinary arrays {expected[i]:R}");
                return;
            }
        }
    }

    /// <summary>Random inputs of every kind for one shape (seeded by the shape): logits, targets with an ignored row
    /// where there are 3 rows or more, positive weights, soft targets and probabilities whose rows sum to 1.</summary>
    private sealed class Inputs
    {
        public Inputs(KernelAdapter k)
        {
            var random = new Random(k.Batch * 1000 + k.Classes);
            int n = k.Length;
            Logits = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
            Labels = Enumerable.Range(0, k.Batch).Select(_ => random.Next(k.Classes)).ToArray();
            Targets = Labels.Select((t, i) => k.Batch >= 3 && i == k.Batch / 2 ? k.IgnoreIndex : t).ToArray();
            Weight = Enumerable.Range(0, k.Classes).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
            Soft = Rows(k, random);
            Probabilities = Rows(k, random);
            OneHot = new float[n];
            for (int i = 0; i < k.Batch; i++)
            {
                OneHot[i * k.Classes + Labels[i]] = 1f;
            }

            LogProbabilities = Probabilities.Select(v => MathF.Log(v)).ToArray();
            BinaryTargets = Binary(n, random);
            BceProbabilities = Binary(n, random);
        }

        public float[] Logits { get; }
        public int[] Labels { get; }
        public int[] Targets { get; }
        public float[] Weight { get; }
        public float[] Soft { get; }
        public float[] Probabilities { get; }
        public float[] OneHot { get; }

        /// <summary>log(Probabilities): the input of NLLLoss.</summary>
        public float[] LogProbabilities { get; }

        /// <summary>Targets of the binary losses: in [0, 1], every fifth element exactly 0 or 1.</summary>
        public float[] BinaryTargets { get; }

        /// <summary>Probabilities of BCELoss, element-wise: in [0, 1], every fifth element exactly 0 or 1 (the clamped logs).</summary>
        public float[] BceProbabilities { get; }

        private static float[] Binary(int n, Random random) =>
            Enumerable.Range(0, n).Select(i => i % 5 == 2 ? random.Next(2) : (float)random.NextDouble()).ToArray();

        private static float[] Rows(KernelAdapter k, Random random)
        {
            var rows = new float[k.Length];
            for (int i = 0; i < k.Batch; i++)
            {
                var row = rows.AsSpan(i * k.Classes, k.Classes);
                double sum = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] = (float)(0.05 + random.NextDouble());
                    sum += row[j];
                }

                for (int j = 0; j < row.Length; j++)
                {
                    row[j] = (float)(row[j] / sum);
                }
            }

            return rows;
        }
    }
}

/// <summary>The guard-page test on the kernels compiled here (C# 11+: the generic helpers).</summary>
public sealed class GuardPageLatestTests(ITestOutputHelper output) : GuardPageTests(output, csharp10: false);

/// <summary>The guard-page test on the kernels compiled at C# 10 (the non-generic helpers); a class of its own, so
/// xUnit runs the two sets in parallel.</summary>
public sealed class GuardPageCSharp10Tests(ITestOutputHelper output) : GuardPageTests(output, csharp10: true);

/// <summary>
/// The guard-page test on the double kernels (<c>ElementType = typeof(double)</c>, Float64/DoubleKernels.cs): every
/// cross-entropy member (Labels aside) and every loss-family member (NllLoss, BinaryCrossEntropyWithLogitsLoss,
/// BinaryCrossEntropyLoss and their weighted, per-sample/per-element and backward members) with each span right after and right before a page mapped with no access,
/// inputs read-only, the same bits as on ordinary arrays, the backward members and softmaxes in place too. The one-class
/// shapes (a single output per row: rows of one element through the generic row core and whole-matrix helpers) and a
/// few of more classes (Linux only).
/// </summary>
public sealed class GuardPageDoubleTests : IDisposable
{
    private readonly GuardedMemory? _memory = OperatingSystem.IsLinux() ? new GuardedMemory(5, 300 * 40 * sizeof(double)) : null;

    private delegate double Member(ReadOnlySpan<double> x, ReadOnlySpan<int> t, ReadOnlySpan<double> w, ReadOnlySpan<double> y, Span<double> output);

    public void Dispose() => _memory?.Dispose();

    [Fact] public void OneClass1x1() => Check<Float64.D1x1>();
    [Fact] public void OneClass3x1Sum() => Check<Float64.D3x1Sum>();
    [Fact] public void OneClass8x1Ignore() => Check<Float64.D8x1Ignore>();
    [Fact] public void OneClass13x1Smooth() => Check<Float64.D13x1Smooth>();
    [Fact] public void OneClass40x1SumFullSmooth() => Check<Float64.D40x1SumFullSmooth>();
    [Fact] public void OneClass3x1Ignore0() => Check<Float64.D3x1Ignore0>();
    [Fact] public void Shape1x2Sum() => Check<Float64.D1x2Sum>();
    [Fact] public void Shape4x7() => Check<Float64.D4x7>();
    [Fact] public void Shape16x17() => Check<Float64.D16x17>();
    [Fact] public void Shape20x33Smooth() => Check<Float64.D20x33Smooth>();
    [Fact] public void Shape40x300() => Check<Float64.D40x300>();

    // Lanes = rows (RowTiles): 2-, 4- and 8-row groups, full and partial last groups, 2 to 16 classes.
    [Fact] public void Shape2x2() => Check<Float64.D2x2>();
    [Fact] public void Shape3x16() => Check<Float64.D3x16>();
    [Fact] public void Shape5x2() => Check<Float64.D5x2>();
    [Fact] public void Shape7x9() => Check<Float64.D7x9>();
    [Fact] public void Shape9x3Sum() => Check<Float64.D9x3Sum>();
    [Fact] public void Shape12x5() => Check<Float64.D12x5>();
    [Fact] public void Shape17x16Ignore2() => Check<Float64.D17x16Ignore2>();
    [Fact] public void Shape32x10() => Check<Float64.D32x10>();
    [Fact] public void Shape8x4SumIgnore1() => Check<Float64.D8x4SumIgnore1>();

    private void Check<K>()
        where K : Float64.ILossKernel64
    {
        if (_memory is null)
        {
            return; // guard pages need mmap/mprotect (Linux)
        }

        int Constant(string name) => (int)typeof(K).GetField(name)!.GetValue(null)!;
        int b = Constant("Batch"), c = Constant("Classes"), n = b * c, ignoreIndex = Constant("IgnoreIndex");
        var random = new Random(b * 1000 + c);
        double[] logits = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 8 - 4).ToArray();
        int[] labels = Enumerable.Range(0, b).Select(_ => random.Next(c)).ToArray();
        int[] targets = labels.Select((t, i) => b >= 3 && i == b / 2 ? ignoreIndex : t).ToArray();
        double[] weight = Enumerable.Range(0, c).Select(_ => 0.5 + random.NextDouble()).ToArray();
        double[] soft = Rows(), probabilities = Rows(), oneHot = new double[n];
        for (int i = 0; i < b; i++)
        {
            oneHot[i * c + labels[i]] = 1;
        }

        double[] none = Array.Empty<double>();
        Run("Normalize", probabilities, labels, none, none, n, true, (x, t, w, y, o) => { K.Normalize(o); return 0; });
        Run("Softmax", logits, labels, none, none, n, false, (x, t, w, y, o) => { K.Softmax(x, o); return 0; });
        Run("Softmax in place", logits, labels, none, none, n, true, (x, t, w, y, o) => { K.Softmax(o, o); return 0; });
        Run("LogSoftmax", logits, labels, none, none, n, false, (x, t, w, y, o) => { K.LogSoftmax(x, o); return 0; });
        Run("LogSoftmax in place", logits, labels, none, none, n, true, (x, t, w, y, o) => { K.LogSoftmax(o, o); return 0; });
        Run("OneHot", none, labels, none, none, n, false, (x, t, w, y, o) => { K.OneHot(t, o); return 0; });
        Run("CrossEntropy(labels)", probabilities, labels, none, none, 0, false, (x, t, w, y, o) => K.CrossEntropy(x, t));
        Run("CrossEntropy(oneHot)", probabilities, labels, none, oneHot, 0, false, (x, t, w, y, o) => K.CrossEntropy(x, y));
        Run("CrossEntropyLoss", logits, targets, weight, soft, 0, false, (x, t, w, y, o) => K.CrossEntropyLoss(x, t));
        Run("CrossEntropyLoss(weight)", logits, targets, weight, soft, 0, false, (x, t, w, y, o) => K.CrossEntropyLoss(x, t, w));
        Run("CrossEntropyLoss(soft)", logits, targets, weight, soft, 0, false, (x, t, w, y, o) => K.CrossEntropyLoss(x, y));
        Run("CrossEntropyLossPerSample", logits, targets, weight, soft, b, false, (x, t, w, y, o) => { K.CrossEntropyLossPerSample(x, t, o); return 0; });
        Run("CrossEntropyLossPerSample(weight)", logits, targets, weight, soft, b, false, (x, t, w, y, o) => { K.CrossEntropyLossPerSample(x, t, w, o); return 0; });
        foreach (bool inPlace in new[] { false, true })
        {
            string where = inPlace ? " in place" : "";
            Run("CrossEntropyLossBackward" + where, logits, targets, weight, soft, n, inPlace, (x, t, w, y, o) => K.CrossEntropyLossBackward(inPlace ? o : x, t, o));
            Run("CrossEntropyLossBackward(weight)" + where, logits, targets, weight, soft, n, inPlace, (x, t, w, y, o) => K.CrossEntropyLossBackward(inPlace ? o : x, t, w, o));
            Run("CrossEntropyLossBackward(soft)" + where, logits, targets, weight, soft, n, inPlace, (x, t, w, y, o) => K.CrossEntropyLossBackward(inPlace ? o : x, y, o));
        }

        // The loss family: NLLLoss on log-probabilities, BCEWithLogitsLoss and BCELoss on element-wise targets in [0, 1]
        // (every fifth exactly 0 or 1), posWeight = weight; every backward member out of place and in place.
        double[] logProbabilities = probabilities.Select(v => Math.Log(v)).ToArray(), binary = Binary(), bceProbabilities = Binary();
        Run("NllLoss", logProbabilities, targets, weight, none, 0, false, (x, t, w, y, o) => K.NllLoss(x, t));
        Run("NllLoss(weight)", logProbabilities, targets, weight, none, 0, false, (x, t, w, y, o) => K.NllLoss(x, t, w));
        Run("NllLossPerSample", logProbabilities, targets, weight, none, b, false, (x, t, w, y, o) => { K.NllLossPerSample(x, t, o); return 0; });
        Run("BinaryCrossEntropyWithLogitsLoss", logits, labels, weight, binary, 0, false, (x, t, w, y, o) => K.BinaryCrossEntropyWithLogitsLoss(x, y));
        Run("BinaryCrossEntropyWithLogitsLoss(posWeight)", logits, labels, weight, binary, 0, false, (x, t, w, y, o) => K.BinaryCrossEntropyWithLogitsLoss(x, y, w));
        Run("BinaryCrossEntropyWithLogitsLossPerElement", logits, labels, weight, binary, n, false,
            (x, t, w, y, o) => { K.BinaryCrossEntropyWithLogitsLossPerElement(x, y, o); return 0; });
        Run("BinaryCrossEntropyLoss", bceProbabilities, labels, weight, binary, 0, false, (x, t, w, y, o) => K.BinaryCrossEntropyLoss(x, y));
        Run("BinaryCrossEntropyLossPerElement", bceProbabilities, labels, weight, binary, n, false, (x, t, w, y, o) => { K.BinaryCrossEntropyLossPerElement(x, y, o); return 0; });
        foreach (bool inPlace in new[] { false, true })
        {
            string where = inPlace ? " in place" : "";
            Run("NllLossBackward" + where, logProbabilities, targets, weight, none, n, inPlace, (x, t, w, y, o) => K.NllLossBackward(inPlace ? o : x, t, o));
            Run("NllLossBackward(weight)" + where, logProbabilities, targets, weight, none, n, inPlace, (x, t, w, y, o) => K.NllLossBackward(inPlace ? o : x, t, w, o));
            Run("BinaryCrossEntropyWithLogitsLossBackward" + where, logits, labels, weight, binary, n, inPlace,
                (x, t, w, y, o) => K.BinaryCrossEntropyWithLogitsLossBackward(inPlace ? o : x, y, o));
            Run("BinaryCrossEntropyWithLogitsLossBackward(posWeight)" + where, logits, labels, weight, binary, n, inPlace,
                (x, t, w, y, o) => K.BinaryCrossEntropyWithLogitsLossBackward(inPlace ? o : x, y, w, o));
            Run("BinaryCrossEntropyLossBackward" + where, bceProbabilities, labels, weight, binary, n, inPlace,
                (x, t, w, y, o) => K.BinaryCrossEntropyLossBackward(inPlace ? o : x, y, o));
        }

        double[] Binary() => Enumerable.Range(0, n).Select(i => i % 5 == 2 ? random.Next(2) : random.NextDouble()).ToArray();

        double[] Rows()
        {
            var rows = Enumerable.Range(0, n).Select(_ => 0.05 + random.NextDouble()).ToArray();
            for (int i = 0; i < b; i++)
            {
                double sum = rows.Skip(i * c).Take(c).Sum();
                for (int j = 0; j < c; j++)
                {
                    rows[i * c + j] /= sum;
                }
            }

            return rows;
        }

        // x, t, w and y read-only against guard pages, the output writable against them (in place: it starts as x).
        void Run(string name, double[] x, int[] t, double[] w, double[] y, int outputLength, bool inPlace, Member member)
        {
            var memory = _memory!;
            double[] expectedOutput = inPlace ? (double[])x.Clone() : new double[outputLength];
            double expected = member(x, t, w, y, expectedOutput);
            foreach (bool atEnd in new[] { false, true })
            {
                var gx = memory.Place<double>(0, x, atEnd);
                var gt = memory.Place<int>(1, t, atEnd);
                var gw = memory.Place<double>(2, w, atEnd);
                var gy = memory.Place<double>(4, y, atEnd);
                var output = memory.Place<double>(3, inPlace ? x : new double[outputLength], atEnd);
                double actual;
                using (memory.ReadOnly(0, 3))
                using (memory.ReadOnly(4, 1))
                {
                    actual = member(gx, gt, gw, gy, output);
                }

                string what = $"{typeof(K).Name} {name} (spans {(atEnd ? "end at" : "start after")} a guard page)";
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: {actual:R}, on ordinary arrays {expected:R}");
                Assert.True(expectedOutput.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(output.ToArray().Select(BitConverter.DoubleToInt64Bits)),
                    $"{what}: the output differs from the one on ordinary arrays");
            }
        }
    }
}

/// <summary>
/// Regions of memory, each between two pages mapped with no access: [guard][data][guard] per region. A span placed
/// at the start of a region's data touches the guard page before it, one placed at the end the guard page after it.
/// </summary>
internal sealed unsafe class GuardedMemory : IDisposable
{
    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20;
    private readonly nint _base;
    private readonly nuint _total;
    private readonly int _page;
    private readonly int _dataBytes;

    public GuardedMemory(int regions, int bytesPerRegion)
    {
        _page = Environment.SystemPageSize;
        _dataBytes = (bytesPerRegion + _page - 1) / _page * _page;
        _total = (nuint)(regions * (_dataBytes + _page) + _page);
        _base = mmap(0, _total, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        Assert.True(_base != -1, $"mmap failed: errno {Marshal.GetLastPInvokeError()}");
        for (int r = 0; r <= regions; r++)
        {
            Protect(_base + r * (_dataBytes + _page), _page, ProtNone);
        }
    }

    /// <summary>Copies <paramref name="content"/> into region <paramref name="region"/>, at the start of its data or
    /// ending at its end, and returns the span there.</summary>
    public Span<T> Place<T>(int region, ReadOnlySpan<T> content, bool atEnd)
        where T : unmanaged
    {
        int bytes = content.Length * sizeof(T);
        Assert.True(bytes <= _dataBytes);
        byte* data = (byte*)Data(region);
        var span = new Span<T>(atEnd ? data + _dataBytes - bytes : data, content.Length);
        content.CopyTo(span);
        return span;
    }

    /// <summary>Makes the data of regions [first, first + count) read-only until the scope is disposed.</summary>
    public Scope ReadOnly(int first, int count)
    {
        SetData(first, count, ProtRead);
        return new Scope(this, first, count);
    }

    public void Dispose() => munmap(_base, _total);

    private nint Data(int region) => _base + _page + region * (_dataBytes + _page);

    private void SetData(int first, int count, int protection)
    {
        for (int r = first; r < first + count; r++)
        {
            Protect(Data(r), _dataBytes, protection);
        }
    }

    /// <summary>The data of some regions made read-only; writable again on dispose.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly GuardedMemory _memory;
        private readonly int _first, _count;

        public Scope(GuardedMemory memory, int first, int count) => (_memory, _first, _count) = (memory, first, count);

        public void Dispose() => _memory.SetData(_first, _count, ProtRead | ProtWrite);
    }

    private static void Protect(nint address, int bytes, int protection) =>
        Assert.True(mprotect(address, (nuint)bytes, protection) == 0, $"mprotect failed: errno {Marshal.GetLastPInvokeError()}");

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);
}
