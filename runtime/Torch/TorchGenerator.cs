using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: InternalsVisibleTo("FixedShapeLoss.Tests")]

namespace FixedShapeLoss;

/// <summary>
/// PyTorch's CPU random generator (<c>torch.Generator</c> on CPU, as seeded by <c>torch.manual_seed</c>),
/// reproduced bit for bit: the MT19937 engine and the <c>rand</c>, <c>randn</c> and <c>randint</c> kernels.
/// </summary>
/// <remarks>
/// <para>One call of <see cref="Rand(Span{float})"/>, <see cref="Randn(Span{float})"/> or
/// <see cref="RandInt"/> produces one PyTorch tensor of <c>destination.Length</c> elements (a matrix is its
/// row-major flattening); consecutive calls continue one stream, exactly like consecutive PyTorch calls after
/// one <c>manual_seed</c>.</para>
/// <para>The small <c>randn</c> path (fewer than 16 elements, float32 and float64 alike) is PyTorch's
/// <c>at::normal_distribution&lt;double&gt;</c>, which caches its second Box–Muller sample in the generator's
/// double cache (<c>next_double_normal_sample</c>); this class keeps that one cache. PyTorch's float cache is
/// never used by CPU <c>randn</c>. The double-precision functions (<c>log1p</c>, <c>log</c>, <c>sin</c>,
/// <c>cos</c>) are the platform C library's, as in PyTorch, so float64 <c>randn</c> matches PyTorch run on
/// the same C library.</para>
/// <para>Calls allocate nothing. An instance is not thread-safe.</para>
/// </remarks>
public sealed class TorchGenerator
{
    private const int FillThreshold = BoxMuller.Block;

    private readonly MersenneTwister _engine;
    private ulong _seed;
    private double _cachedNormal;
    private bool _hasCachedNormal;

    /// <summary>Creates a generator seeded like <c>torch.manual_seed(seed)</c>.</summary>
    /// <param name="seed">The seed; only its low 32 bits reach the engine (a negative PyTorch seed is its
    /// two's complement, e.g. <c>unchecked((ulong)-1)</c>).</param>
    public TorchGenerator(ulong seed)
    {
        _engine = new MersenneTwister(unchecked((uint)seed));
        _seed = seed;
    }

    /// <summary>The seed last given to the constructor or <see cref="ManualSeed"/> (<c>initial_seed()</c>).</summary>
    public ulong InitialSeed => _seed;

    /// <summary>Reseeds the generator like <c>torch.manual_seed(seed)</c> and clears the cached normal sample.</summary>
    /// <param name="seed">The seed; only its low 32 bits reach the engine.</param>
    public void ManualSeed(ulong seed)
    {
        _engine.Seed(unchecked((uint)seed));
        _seed = seed;
        _hasCachedNormal = false;
        _cachedNormal = 0;
    }

    /// <summary>One raw 32-bit draw of the engine (PyTorch's <c>generator-&gt;random()</c>).</summary>
    /// <returns>The next tempered MT19937 output.</returns>
    public uint NextUInt32() => _engine.NextUInt32();

    /// <summary>One raw 64-bit draw (PyTorch's <c>generator-&gt;random64()</c>): two 32-bit draws, the first
    /// one the high word.</summary>
    /// <returns>The next two tempered MT19937 outputs as one 64-bit value.</returns>
    public ulong NextUInt64() => _engine.NextUInt64();

    /// <summary>Fills <paramref name="destination"/> like <c>torch.rand(n)</c> (float32): one 32-bit draw per
    /// element, <c>(r &amp; 0xFFFFFF) * 2^-24</c>, in [0, 1).</summary>
    /// <param name="destination">The tensor's elements, row-major; an empty span consumes no draws.</param>
    public void Rand(Span<float> destination) => _engine.FillFloat24(destination);

    /// <summary>Fills <paramref name="destination"/> like <c>torch.rand(n, dtype=torch.float64)</c>: one 64-bit
    /// draw per element, <c>(r &amp; (2^53 - 1)) * 2^-53</c>, in [0, 1).</summary>
    /// <param name="destination">The tensor's elements, row-major; an empty span consumes no draws.</param>
    public void Rand(Span<double> destination) => _engine.FillDouble53(destination);

    /// <summary>Fills <paramref name="destination"/> like <c>torch.randn(n)</c> (float32).</summary>
    /// <remarks>Fewer than 16 elements: per element the double-precision Box–Muller of
    /// <c>at::normal_distribution&lt;double&gt;</c> (using and refilling the cached sample), cast to float.
    /// 16 or more: PyTorch's batched fill (<c>normal_fill_AVX2</c>): n float uniforms, 16-value blocks with the
    /// Cephes log / sincos, and when n is not a multiple of 16 the last 16 values redrawn and refilled. The
    /// batched path neither reads nor clears the cached sample.</remarks>
    /// <param name="destination">The tensor's elements, row-major; an empty span consumes no draws.</param>
    public void Randn(Span<float> destination)
    {
        int n = destination.Length;
        if (n >= FillThreshold)
        {
            _engine.FillFloat24(destination);
            ref float data = ref MemoryMarshal.GetReference(destination);
            int block = 0;
            for (; block + BoxMuller.Block <= n; block += BoxMuller.Block)
            {
                BoxMuller.Fill16(ref Unsafe.Add(ref data, block));
            }
            if (block != n)
            {
                Span<float> tail = destination.Slice(n - BoxMuller.Block);
                _engine.FillFloat24(tail);
                BoxMuller.Fill16(ref MemoryMarshal.GetReference(tail));
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            destination[i] = (float)NextNormal();
        }
    }

    /// <summary>Fills <paramref name="destination"/> like <c>torch.randn(n, dtype=torch.float64)</c>.</summary>
    /// <remarks>Fewer than 16 elements: per element <c>at::normal_distribution&lt;double&gt;</c> with the cached
    /// sample (<c>r = sqrt(-2 log1p(-u2))</c>). 16 or more: PyTorch's scalar <c>normal_fill&lt;double&gt;</c>
    /// (64-bit uniforms, <c>r = sqrt(-2 log(1 - u))</c>, 16-value blocks, the last 16 redrawn when n is not a
    /// multiple of 16), which leaves the cached sample alone.</remarks>
    /// <param name="destination">The tensor's elements, row-major; an empty span consumes no draws.</param>
    public void Randn(Span<double> destination)
    {
        int n = destination.Length;
        if (n >= FillThreshold)
        {
            _engine.FillDouble53(destination);
            int block = 0;
            for (; block + BoxMuller.Block <= n; block += BoxMuller.Block)
            {
                BoxMuller.Fill16(destination.Slice(block, BoxMuller.Block));
            }
            if (block != n)
            {
                Span<double> tail = destination.Slice(n - BoxMuller.Block);
                _engine.FillDouble53(tail);
                BoxMuller.Fill16(tail);
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            destination[i] = NextNormal();
        }
    }

    /// <summary>Fills <paramref name="destination"/> like <c>torch.randint(low, high, (n,))</c> (int64): values
    /// uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <remarks>With <c>range = high - low</c> (as unsigned), each element takes one 64-bit draw when
    /// <c>range &gt;= 2^32</c>, else one 32-bit draw, and is <c>low + draw % range</c>.</remarks>
    /// <param name="low">The smallest value that can be drawn.</param>
    /// <param name="high">One above the largest value that can be drawn; must exceed <paramref name="low"/>.</param>
    /// <param name="destination">The tensor's elements; an empty span consumes no draws.</param>
    /// <exception cref="ArgumentException"><paramref name="low"/> is not less than <paramref name="high"/>
    /// (checked even for an empty destination, as PyTorch does).</exception>
    public void RandInt(long low, long high, Span<long> destination)
    {
        if (low >= high)
        {
            throw new ArgumentException($"low ({low}) must be less than high ({high}).", nameof(high));
        }
        ulong range = unchecked((ulong)high - (ulong)low);
        ulong offset = unchecked((ulong)low);
        if (range >= 1UL << 32)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = unchecked((long)(_engine.NextUInt64() % range + offset));
            }
        }
        else
        {
            uint range32 = (uint)range;
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = unchecked((long)((ulong)(_engine.NextUInt32() % range32) + offset));
            }
        }
    }

    /// <summary><c>at::normal_distribution&lt;double&gt;(0, 1)</c>: the cached sample if there is one, else a
    /// new Box–Muller pair whose sine half is cached.</summary>
    private double NextNormal()
    {
        if (_hasCachedNormal)
        {
            _hasCachedNormal = false;
            return BoxMuller.Transform(_cachedNormal);
        }
        double u1 = _engine.NextDouble53();
        double u2 = _engine.NextDouble53();
        double first = BoxMuller.Pair(u1, u2, out _cachedNormal);
        _hasCachedNormal = true;
        return first;
    }
}
