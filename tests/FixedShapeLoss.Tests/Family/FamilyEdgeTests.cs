using System;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace FixedShapeLoss.Tests.Family;

/// <summary>
/// The element-wise losses at their edges: saturated and huge logits (exact, no overflow), NaN staying in its own
/// element, sums that keep their digits as the batch grows, spans cut out of larger buffers (NaN before and after the
/// inputs, sentinels around the outputs) and spans that end or start at an inaccessible page, at lengths that leave
/// every possible partial last vector.
/// </summary>
public sealed class FamilyEdgeTests
{
    [Fact]
    public void HugeAndSaturatedLogits_AreExact()
    {
        float[] x = { 1e4f, 1e4f, -1e4f, -1e4f, 80f, -80f, 0f, 200f };
        float[] y = { 0f, 1f, 0f, 1f, 0f, 1f, 0.5f, 0.25f };
        var losses = new float[x.Length];
        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<float>(x, y, default, 1, losses);
        Assert.Equal(new[] { 1e4f, 0f, 0f, 1e4f, 80f, 80f, MathF.Log(2f), 150f }, losses);

        var g = new float[x.Length];
        LossFamily.BinaryCrossEntropyWithLogitsLossBackward<float>(x, y, default, 1, LossReduction.Sum, g);
        Assert.Equal(new[] { 1f, 0f, 0f, -1f, 1f, -1f, 0f, 0.75f }, g);

        double[] xd = { 1e4, -1e4, 745, -745 };
        double[] yd = { 0, 1, 0.5, 0.5 };
        var ld = new double[4];
        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<double>(xd, yd, default, 2, ld);
        Assert.Equal(new[] { 1e4, 1e4, 372.5, 372.5 }, ld);
    }

    [Fact]
    public void NaN_StaysInItsElement()
    {
        var x = Enumerable.Range(0, 40).Select(i => (i - 20) / 4f).ToArray();
        var y = Enumerable.Range(0, 40).Select(i => (i % 3) / 2f).ToArray();
        x[17] = float.NaN;
        var losses = new float[40];
        var g = new float[40];
        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<float>(x, y, default, 8, losses);
        float loss = LossFamily.BinaryCrossEntropyWithLogitsLossBackward<float>(x, y, default, 8, LossReduction.Mean, g);
        Assert.True(float.IsNaN(loss));
        for (int k = 0; k < 40; k++)
        {
            Assert.Equal(k == 17, float.IsNaN(losses[k]));
            Assert.Equal(k == 17, float.IsNaN(g[k]));
        }
    }

    /// <summary>256 000 equal losses: a float running sum would be off by about 1e-3 relative; blocks added in double
    /// give the mean to the float's last bit, and the sum to 1e-7.</summary>
    [Fact]
    public void LongSums_KeepTheirDigits()
    {
        const int n = 256 * 1000;
        var x = new float[n];
        var y = new float[n];
        Assert.Equal((float)Math.Log(2), LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, default, 1000, LossReduction.Mean));
        float sum = LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, default, 1000, LossReduction.Sum);
        Assert.Equal(n * Math.Log(2), sum, n * Math.Log(2) * 1e-7);

        var p = Enumerable.Repeat(0.1f, n).ToArray();
        Assert.Equal(-Math.Log(1 - 0.1f) * n, LossFamily.BinaryCrossEntropyLoss<float>(p, y, LossReduction.Sum), n * 1e-7);

        var lp = Enumerable.Repeat(-0.1f, n).ToArray();
        var t = new int[n];
        Assert.Equal(0.1f, LossFamily.NllLoss<float>(lp, t, default, 1, -100, LossReduction.Mean));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(129)]
    public void SpansInsideLargerBuffers_ReadAndWriteOnlyTheirOwnElements(int n)
    {
        InsideLargerBuffers<float>(n);
        InsideLargerBuffers<double>(n);
    }

    private static void InsideLargerBuffers<T>(int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int Pad = 20;
        T sentinel = T.CreateTruncating(12345);
        var random = new Random(n);
        T[] x = Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble() * 12 - 6)).ToArray();
        T[] p = Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray();
        T[] y = Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.Next(3) / 2.0)).ToArray();

        // Inputs between NaN (a read outside would make the loss NaN); outputs between sentinels.
        ReadOnlySpan<T> Inside(T[] values, T fill)
        {
            var buffer = Enumerable.Repeat(fill, n + 2 * Pad).ToArray();
            values.CopyTo(buffer, Pad);
            return buffer.AsSpan(Pad, n);
        }

        T nan = T.NaN, half = T.CreateTruncating(0.5);
        var output = Enumerable.Repeat(sentinel, n + 2 * Pad).ToArray();
        Span<T> inside = output.AsSpan(Pad, n);
        var expected = new T[n];

        T e1 = LossFamily.BinaryCrossEntropyWithLogitsLossBackward<T>(x, y, default, 1, LossReduction.Mean, expected);
        T a1 = LossFamily.BinaryCrossEntropyWithLogitsLossBackward<T>(Inside(x, nan), Inside(y, nan), default, 1, LossReduction.Mean, inside);
        Assert.Equal(e1, a1);
        Assert.Equal(expected, inside.ToArray());
        CheckSentinels();

        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<T>(x, y, default, 1, expected);
        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<T>(Inside(x, nan), Inside(y, nan), default, 1, inside);
        Assert.Equal(expected, inside.ToArray());
        CheckSentinels();

        // BCE refuses NaN, so its neighbours are 0.5 and 2 (a read of 2 would throw, of 0.5 change the sum).
        T e2 = LossFamily.BinaryCrossEntropyLossBackward<T>(p, y, LossReduction.Sum, expected);
        T a2 = LossFamily.BinaryCrossEntropyLossBackward<T>(Inside(p, T.CreateTruncating(2)), Inside(y, half), LossReduction.Sum, inside);
        Assert.Equal(e2, a2);
        Assert.Equal(expected, inside.ToArray());
        CheckSentinels();

        void CheckSentinels()
        {
            for (int k = 0; k < Pad; k++)
            {
                Assert.Equal(sentinel, output[k]);
                Assert.Equal(sentinel, output[Pad + n + k]);
            }
        }
    }

    /// <summary>Inputs and outputs that end exactly at an inaccessible page, and that start right after one: a read or
    /// write past either end crashes the test run (Linux only, where mmap/mprotect are at hand).</summary>
    [Fact]
    public void SpansAtInaccessiblePages_AreNeverOverrun()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (int n in new[] { 1, 3, 7, 15, 16, 17, 33, 130 })
        {
            using var xf = new GuardedBuffer(n * 4);
            using var yf = new GuardedBuffer(n * 4);
            using var gf = new GuardedBuffer(n * 4);
            foreach (bool atEnd in new[] { true, false })
            {
                Span<float> x = xf.Span<float>(n, atEnd), y = yf.Span<float>(n, atEnd), g = gf.Span<float>(n, atEnd);
                for (int k = 0; k < n; k++)
                {
                    x[k] = (k % 7) / 7f;
                    y[k] = (k % 2) * 1f;
                }

                LossFamily.BinaryCrossEntropyWithLogitsLossBackward<float>(x, y, default, 1, LossReduction.Mean, g);
                LossFamily.BinaryCrossEntropyWithLogitsLossBackward<float>(x, y, default, 1, LossReduction.Mean, x);
                LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<float>(y, y, default, n, g);
                LossFamily.BinaryCrossEntropyLossBackward<float>(y, y, LossReduction.Sum, g);
                LossFamily.BinaryCrossEntropyLossPerElement<float>(y, y, g);
            }

            using var xd = new GuardedBuffer(n * 8);
            using var yd = new GuardedBuffer(n * 8);
            foreach (bool atEnd in new[] { true, false })
            {
                Span<double> x = xd.Span<double>(n, atEnd), y = yd.Span<double>(n, atEnd);
                for (int k = 0; k < n; k++)
                {
                    x[k] = (k % 5) / 5.0;
                    y[k] = (k % 2) * 1.0;
                }

                LossFamily.BinaryCrossEntropyWithLogitsLossBackward<double>(x, y, default, 1, LossReduction.Sum, y);
                LossFamily.BinaryCrossEntropyLossBackward<double>(x, x, LossReduction.Mean, x);
            }
        }
    }

    /// <summary>Pages from mmap with an inaccessible page before and after the data pages.</summary>
    private sealed class GuardedBuffer : IDisposable
    {
        private const int ProtNone = 0, ProtReadWrite = 3, MapPrivateAnonymous = 0x02 | 0x20;
        private readonly nint _base;
        private readonly nuint _total;
        private readonly int _dataBytes;

        public GuardedBuffer(int bytes)
        {
            int page = Environment.SystemPageSize;
            _dataBytes = (bytes + page - 1) / page * page;
            _total = (nuint)(_dataBytes + 2 * page);
            _base = Mmap(0, _total, ProtNone, MapPrivateAnonymous, -1, 0);
            Assert.True(_base != -1, "mmap failed");
            Assert.Equal(0, Mprotect(_base + page, (nuint)_dataBytes, ProtReadWrite));
        }

        /// <summary>n elements ending at the guard page after the data (atEnd) or starting right after the one before.</summary>
        public Span<T> Span<T>(int n, bool atEnd)
            where T : unmanaged
        {
            nint data = _base + Environment.SystemPageSize;
            nint start = atEnd ? data + _dataBytes - n * Unsafe.SizeOf<T>() : data;
            return MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<T>(), start), n);
        }

        public void Dispose() => Munmap(_base, _total);

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
        private static extern int Mprotect(nint address, nuint length, int protection);

        [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static extern int Munmap(nint address, nuint length);
    }
}
