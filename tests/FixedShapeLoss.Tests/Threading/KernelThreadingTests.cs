using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Threading;

/// <summary>The tests that change the process-wide <see cref="KernelThreading.MaxDegreeOfParallelism"/> or measure the
/// process's allocations run alone (xUnit runs a collection with DisableParallelization after the others).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadingCollection
{
    public const string Name = "KernelThreading, alone";
}

/// <summary>
/// The kernels of shapes above <see cref="KernelThreading.MinParallelLength"/>: every output (losses, per-sample losses,
/// gradients, softmax, log-softmax) bit-identical with 1, 2 and 8 workers on random inputs (CsCheck), in place the same
/// bits as out of place, nothing written outside the spans, close to a double reference written here from the
/// definitions; no allocation per call (this thread and the whole process); two user threads at once.
/// </summary>
[Collection(ThreadingCollection.Name)]
public class KernelThreadingTests
{
    private static readonly int[] s_degrees = [1, 2, 8];

    private sealed record Options(int Batch, int Classes, bool Sum, double Smoothing, int IgnoreIndex);

    private sealed record Inputs<T>(T[] Logits, int[] Targets, T[] Weight, T[] Soft);

    private static readonly Options s_o256x1000 = new(256, 1000, false, 0, -100);
    private static readonly Options s_o130x1031 = new(130, 1031, true, 0.1, 3);
    private static readonly Options s_o8200x16 = new(8200, 16, false, 0, -100);
    private static readonly Options s_o4x40000 = new(4, 40000, false, 0, 1);
    private static readonly Options s_o131x1001 = new(131, 1001, false, 0.05, -100);
    private static readonly Options s_o64x2048 = new(64, 2048, true, 0, 0);

    [Fact] public void Float256x1000() => Check<P256x1000, float>(s_o256x1000);
    [Fact] public void Float130x1031SmoothingSumIgnore3() => Check<P130x1031Smooth, float>(s_o130x1031);
    [Fact] public void Float8200x16() => Check<P8200x16, float>(s_o8200x16);
    [Fact] public void Float4x40000Ignore1() => Check<P4x40000, float>(s_o4x40000);
    [Fact] public void Double131x1001Smoothing() => Check<P131x1001Double, double>(s_o131x1001);
    [Fact] public void Double64x2048SumIgnore0() => Check<P64x2048DoubleSum, double>(s_o64x2048);

    /// <summary>The blocks depend on the shape only, and cover every row once.</summary>
    [Theory]
    [InlineData(256, 1000)]
    [InlineData(8200, 16)]
    [InlineData(4, 40000)]
    [InlineData(2_000_000, 100)]
    public void BlocksCoverTheRows(int batch, int classes)
    {
        Assert.True(KernelThreading.IsBlocked(batch, classes));
        int rows = KernelThreading.RowsPerBlock(batch, classes);
        int blocks = (batch + rows - 1) / rows;
        Assert.InRange(blocks, 2, KernelThreading.MaxBlocks);
        Assert.True((long)rows * classes >= KernelThreading.BlockLength || rows * (long)KernelThreading.MaxBlocks >= batch);
        if (classes <= KernelMath.TinyMaxClasses)
        {
            Assert.Equal(0, rows % 8);
        }

        Assert.False(KernelThreading.IsBlocked(KernelThreading.MinParallelLength / classes - 1, classes));
    }

    [Fact]
    public void SettingRejectsLessThanOne()
    {
        int before = KernelThreading.MaxDegreeOfParallelism;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreading.MaxDegreeOfParallelism = 0);
        Assert.Equal("value", e.ParamName);
        Assert.Equal(before, KernelThreading.MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, before);
    }

    /// <summary>Bad input throws on the calling thread before any block runs: nothing is written.</summary>
    [Fact]
    public void BadTargetThrowsBeforeAnyBlock()
    {
        var o = s_o256x1000;
        var logits = new float[o.Batch * o.Classes];
        var targets = new int[o.Batch];
        targets[200] = o.Classes;
        var gradient = Enumerable.Repeat(7f, logits.Length).ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => P256x1000.CrossEntropyLossBackward(logits, targets, new float[o.Classes], gradient));
        Assert.Contains("200", e.Message);
        Assert.All(gradient, g => Assert.Equal(7f, g));
        Assert.Throws<ArgumentException>(() => P256x1000.Softmax(logits, gradient.AsSpan(1)));
    }

    /// <summary>No allocation per call after a warm-up (which creates the caller's job, its work items and the pool
    /// threads), on this thread and in the whole process, with 2 and 8 workers.</summary>
    [Fact]
    public void NoAllocationPerCall()
    {
        var inputs = Fixed<float>(s_o256x1000);
        var output = new float[s_o256x1000.Batch * s_o256x1000.Classes];
        var losses = new float[s_o256x1000.Batch];
        void CallEverything()
        {
            P256x1000.Softmax(inputs.Logits, output);
            P256x1000.LogSoftmax(inputs.Logits, output);
            P256x1000.CrossEntropyLoss(inputs.Logits, inputs.Targets);
            P256x1000.CrossEntropyLoss(inputs.Logits, inputs.Targets, inputs.Weight);
            P256x1000.CrossEntropyLoss(inputs.Logits, inputs.Soft);
            P256x1000.CrossEntropyLossPerSample(inputs.Logits, inputs.Targets, losses);
            P256x1000.CrossEntropyLossPerSample(inputs.Logits, inputs.Targets, inputs.Weight, losses);
            P256x1000.CrossEntropyLossBackward(inputs.Logits, inputs.Targets, output);
            P256x1000.CrossEntropyLossBackward(inputs.Logits, inputs.Targets, inputs.Weight, output);
            P256x1000.CrossEntropyLossBackward(inputs.Logits, inputs.Soft, output);
        }

        foreach (int degree in new[] { 1, 2, 8 })
        {
            WithDegree(degree, () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    CallEverything();
                }

                // A round of 10 blocked calls in which this thread allocates nothing proves that a call allocates nothing
                // on the calling thread (an allocation per call would show in every round). The thread pool allocates now
                // and then (about 88 bytes when it starts a worker thread, from the thread that asks for one), so up to
                // 100 rounds are tried.
                var rounds = new List<(long Thread, long Process)>();
                for (int round = 0; round < 100 && (rounds.Count == 0 || rounds[^1].Thread != 0); round++)
                {
                    long thread = GC.GetAllocatedBytesForCurrentThread();
                    long process = GC.GetTotalAllocatedBytes(precise: true);
                    CallEverything();
                    long processAllocated = GC.GetTotalAllocatedBytes(precise: true) - process;
                    rounds.Add((GC.GetAllocatedBytesForCurrentThread() - thread, processAllocated));
                }

                // The whole process is measured but not asserted: inside the test host 168 bytes appear somewhere in the
                // process every few milliseconds even with one worker (no thread pool involved), so it cannot be 0 here.
                string all = string.Join(", ", rounds);
                Assert.True(rounds.Any(r => r.Thread == 0), $"{degree} workers, bytes (this thread, process) per round: {all}");
            });
        }
    }

    /// <summary>Two user threads calling the kernels at the same time (each with its own job) get the bits of a
    /// one-thread run.</summary>
    [Fact]
    public void TwoCallersAtOnce()
    {
        var a = Fixed<float>(s_o256x1000, seed: 1);
        var b = Fixed<float>(s_o256x1000, seed: 2);
        List<float[]> expectedA = [], expectedB = [];
        WithDegree(1, () =>
        {
            expectedA = Outputs<P256x1000, float>(a, s_o256x1000);
            expectedB = Outputs<P256x1000, float>(b, s_o256x1000);
        });
        WithDegree(2, () =>
        {
            using var start = new Barrier(2);
            Exception? failure = null;
            void Run(Inputs<float> inputs, List<float[]> expected)
            {
                try
                {
                    start.SignalAndWait();
                    for (int i = 0; i < 20; i++)
                    {
                        AssertSameBits(expected, Outputs<P256x1000, float>(inputs, s_o256x1000), "concurrent");
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }

            var first = new Thread(() => Run(a, expectedA));
            var second = new Thread(() => Run(b, expectedB));
            first.Start();
            second.Start();
            first.Join();
            second.Join();
            Assert.Null(failure);
        });
    }

    /// <summary>The kernels compiled at C# 10 call the non-generic helpers (the plain loss and gradient through their
    /// blocked branch): the same bits as the generic ones of C# 11+, with 1 and 2 workers.</summary>
    [Theory]
    [InlineData("Blocked256x1000")]
    [InlineData("Blocked8200x16")]
    public void CSharp10KernelsGiveTheSameBits(string name)
    {
        var latest = Kernels.KernelAdapter.Get(name, csharp10: false);
        var csharp10 = Kernels.KernelAdapter.Get(name, csharp10: true);
        var o = new Options(latest.Batch, latest.Classes, false, 0, -100);
        var x = Fixed<float>(o);
        List<float[]> Run(Kernels.KernelAdapter k)
        {
            var gradient = new float[k.Length];
            var losses = new float[k.Batch];
            var list = new List<float[]> { new[] { k.CrossEntropyLoss(x.Logits, x.Targets), k.CrossEntropyLoss(x.Logits, x.Targets, x.Weight), k.CrossEntropyLoss(x.Logits, x.Soft) } };
            list.Add([k.CrossEntropyLossBackward(x.Logits, x.Targets, gradient)]);
            list.Add((float[])gradient.Clone());
            list.Add([k.CrossEntropyLossBackward(x.Logits, x.Targets, x.Weight, gradient)]);
            list.Add((float[])gradient.Clone());
            k.CrossEntropyLossPerSample(x.Logits, x.Targets, losses);
            list.Add(losses);
            k.Softmax(x.Logits, gradient);
            list.Add(gradient);
            return list;
        }

        foreach (int degree in new[] { 1, 2 })
        {
            WithDegree(degree, () => AssertSameBits(Run(latest), Run(csharp10), $"C# 10, {degree} workers"));
        }
    }

    /// <summary>Just below the threshold the kernels run the generated loops: the same numbers as the reference, and
    /// (no blocks) the same bits for any setting.</summary>
    [Fact]
    public void BelowThresholdUnchanged()
    {
        var o = new Options(127, 1031, false, 0, -100);
        Assert.False(KernelThreading.IsBlocked(o.Batch, o.Classes));
        Check<P127x1031, float>(o);
    }

    private static void Check<TK, T>(Options o)
        where TK : IThreadedKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        InputsGen<T>(o).Sample(inputs =>
        {
            List<T[]>? first = null;
            foreach (int degree in s_degrees)
            {
                WithDegree(degree, () =>
                {
                    var outputs = Outputs<TK, T>(inputs, o);
                    if (first is null)
                    {
                        first = outputs;
                        CheckReference(o, inputs, outputs);
                    }
                    else
                    {
                        AssertSameBits(first, outputs, $"{degree} workers");
                    }
                });
            }
        }, iter: 3, threads: 1);
    }

    /// <summary>Every output of the kernel, in a fixed order (scalars as one-element arrays); checks on the way that the
    /// in-place forms give the out-of-place bits and that nothing is written around the destination spans.</summary>
    private static List<T[]> Outputs<TK, T>(Inputs<T> x, Options o)
        where TK : IThreadedKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Pad = 16;
        int n = o.Batch * o.Classes;
        var list = new List<T[]>();
        var sentinel = T.CreateTruncating(-12345.5);
        var buffer = new T[n + 2 * Pad];
        Span<T> Fresh()
        {
            Array.Fill(buffer, sentinel);
            return buffer.AsSpan(Pad, n);
        }

        T[] Take()
        {
            Assert.All(buffer.Take(Pad).Concat(buffer.Skip(Pad + n)), v => Assert.Equal(sentinel, v));
            return buffer.AsSpan(Pad, n).ToArray();
        }

        T[] InPlace(Func<T[], T> call, out T loss)
        {
            var g = (T[])x.Logits.Clone();
            loss = call(g);
            return g;
        }

        TK.Softmax(x.Logits, Fresh());
        list.Add(Take());
        AssertSameBits([list[^1]], [InPlace(g => { TK.Softmax(g, g); return T.Zero; }, out _)], "softmax in place");
        TK.LogSoftmax(x.Logits, Fresh());
        list.Add(Take());
        AssertSameBits([list[^1]], [InPlace(g => { TK.LogSoftmax(g, g); return T.Zero; }, out _)], "log-softmax in place");

        list.Add([TK.CrossEntropyLoss(x.Logits, x.Targets)]);
        list.Add([TK.CrossEntropyLoss(x.Logits, x.Targets, x.Weight)]);
        list.Add([TK.CrossEntropyLoss(x.Logits, x.Soft)]);
        var losses = new T[o.Batch];
        TK.CrossEntropyLossPerSample(x.Logits, x.Targets, losses);
        list.Add((T[])losses.Clone());
        TK.CrossEntropyLossPerSample(x.Logits, x.Targets, x.Weight, losses);
        list.Add((T[])losses.Clone());

        void Backward(Func<T[], Span<T>, T> call, string what)
        {
            T loss = call(x.Logits, Fresh());
            var gradient = Take();
            list.Add([loss]);
            list.Add(gradient);
            var inPlace = InPlace(g => call(g, g), out T inPlaceLoss);
            AssertSameBits([[loss], gradient], [[inPlaceLoss], inPlace], what + " in place");
        }

        Backward((logits, g) => TK.CrossEntropyLossBackward(logits, x.Targets, g), "backward");
        Backward((logits, g) => TK.CrossEntropyLossBackward(logits, x.Targets, x.Weight, g), "weighted backward");
        Backward((logits, g) => TK.CrossEntropyLossBackward(logits, x.Soft, g), "soft backward");
        return list;
    }

    // ---- the reference, in double, from the definitions -----------------------------------------------------

    private static void CheckReference<T>(Options o, Inputs<T> inputs, List<T[]> outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool isFloat = typeof(T) == typeof(float);
        double rel = isFloat ? 2e-5 : 1e-10;
        int b = o.Batch, c = o.Classes;
        double[] x = inputs.Logits.Select(v => double.CreateTruncating(v)).ToArray();
        double[] w = inputs.Weight.Select(v => double.CreateTruncating(v)).ToArray();
        double[] soft = inputs.Soft.Select(v => double.CreateTruncating(v)).ToArray();
        int[] t = inputs.Targets;
        double e = o.Smoothing;
        var logp = new double[b * c];
        for (int i = 0; i < b; i++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int j = 0; j < c; j++)
            {
                m = Math.Max(m, x[i * c + j]);
            }

            for (int j = 0; j < c; j++)
            {
                s += Math.Exp(x[i * c + j] - m);
            }

            for (int j = 0; j < c; j++)
            {
                logp[i * c + j] = x[i * c + j] - m - Math.Log(s);
            }
        }

        void Close(double expected, T actual, double absolute, string what)
        {
            double a = double.CreateTruncating(actual);
            Assert.True(Math.Abs(a - expected) <= rel * Math.Abs(expected) + absolute, $"{what}: expected {expected:R}, got {a:R}");
        }

        var p = logp.Select(Math.Exp).ToArray();
        for (int k = 0; k < b * c; k++)
        {
            Close(p[k], outputs[0][k], rel * 1e-3, $"softmax[{k}]");
            Close(logp[k], outputs[1][k], rel, $"log-softmax[{k}]");
        }

        // Index targets: l_i = (1 - e) (-w_t log p_t) + (e / C) sum_c (-w_c log p_c); Mean over sum_i w[t_i].
        for (int weighted = 0; weighted < 2; weighted++)
        {
            double W(int k) => weighted == 1 ? w[k] : 1.0;
            double total = 0, denominator = 0, weightSum = Enumerable.Range(0, c).Sum(W);
            var rowLoss = new double[b];
            for (int i = 0; i < b; i++)
            {
                if (t[i] == o.IgnoreIndex)
                {
                    continue;
                }

                double smooth = 0;
                for (int j = 0; j < c; j++)
                {
                    smooth -= W(j) * logp[i * c + j];
                }

                double nll = -W(t[i]) * logp[i * c + t[i]];
                rowLoss[i] = e == 0 ? nll : (1 - e) * nll + e / c * smooth;
                total += rowLoss[i];
                denominator += W(t[i]);
            }

            double scale = o.Sum ? 1 : 1 / denominator;
            double loss = total * scale;
            string kind = weighted == 1 ? "weighted " : "";
            Close(loss, outputs[2 + weighted][0], 0, kind + "loss");
            for (int i = 0; i < b; i++)
            {
                Close(rowLoss[i], outputs[5 + weighted][i], rel, $"{kind}per-sample[{i}]");
            }

            // gradient: scale (p_j a - (1 - e) w_t [j == t] - (e / C) w_j), a = (1 - e) w_t + (e / C) sum_c w_c; 0 on ignored rows
            int at = 7 + 2 * weighted;
            Close(loss, outputs[at][0], 0, kind + "backward loss");
            for (int i = 0; i < b; i++)
            {
                for (int j = 0; j < c; j++)
                {
                    double g = 0;
                    if (t[i] != o.IgnoreIndex)
                    {
                        double a = (1 - e) * W(t[i]) + e / c * weightSum;
                        g = scale * (p[i * c + j] * a - (j == t[i] ? (1 - e) * W(t[i]) : 0) - e / c * W(j));
                    }

                    Close(g, outputs[at + 1][i * c + j], rel * scale, $"{kind}gradient[{i}, {j}]");
                }
            }
        }

        // Soft targets: l_i = -sum_c t'_c log p_c, t' = (1 - e) t + e / C; Mean over Batch.
        double softTotal = 0;
        double softScale = o.Sum ? 1 : 1.0 / b;
        for (int i = 0; i < b; i++)
        {
            double targetSum = 0;
            for (int j = 0; j < c; j++)
            {
                double smoothed = (1 - e) * soft[i * c + j] + e / c;
                softTotal -= smoothed * logp[i * c + j];
                targetSum += smoothed;
            }

            for (int j = 0; j < c; j++)
            {
                double g = softScale * (p[i * c + j] * targetSum - ((1 - e) * soft[i * c + j] + e / c));
                Close(g, outputs[12][i * c + j], rel * softScale, $"soft gradient[{i}, {j}]");
            }
        }

        Close(softTotal * softScale, outputs[4][0], 0, "soft loss");
        Close(softTotal * softScale, outputs[11][0], 0, "soft backward loss");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Gen<Inputs<T>> InputsGen<T>(Options o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = o.Batch * o.Classes;
        return
            from logits in Gen.Float[-8f, 8f].Array[n]
            from targets in Gen.Int[0, o.Classes].Array[o.Batch] // inclusive: Classes stands for IgnoreIndex
            from weight in Gen.Float[0.1f, 2f].Array[o.Classes]
            from soft in Gen.Float[0f, 1f].Array[n]
            select new Inputs<T>(
                logits.Select(v => T.CreateTruncating(v)).ToArray(),
                targets.Select(v => v == o.Classes ? o.IgnoreIndex : v).ToArray(),
                weight.Select(v => T.CreateTruncating(v)).ToArray(),
                soft.Select(v => T.CreateTruncating(v / (o.Classes / 2f))).ToArray());
    }

    private static Inputs<T> Fixed<T>(Options o, int seed = 7)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        int n = o.Batch * o.Classes;
        return new Inputs<T>(
            Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble() * 16 - 8)).ToArray(),
            Enumerable.Range(0, o.Batch).Select(_ => random.Next(o.Classes)).ToArray(),
            Enumerable.Range(0, o.Classes).Select(_ => T.CreateTruncating(random.NextDouble() + 0.1)).ToArray(),
            Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble() * 2 / o.Classes)).ToArray());
    }

    private static void WithDegree(int degree, Action action)
    {
        int before = KernelThreading.MaxDegreeOfParallelism;
        KernelThreading.MaxDegreeOfParallelism = degree;
        try
        {
            action();
        }
        finally
        {
            KernelThreading.MaxDegreeOfParallelism = before;
        }
    }

    private static void AssertSameBits<T>(List<T[]> expected, List<T[]> actual, string what)
        where T : unmanaged
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            var e = MemoryMarshal.AsBytes(expected[k].AsSpan());
            var a = MemoryMarshal.AsBytes(actual[k].AsSpan());
            Assert.True(e.SequenceEqual(a), $"{what}: output {k} differs");
        }
    }
}
