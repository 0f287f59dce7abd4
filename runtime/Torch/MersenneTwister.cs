using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

/// <summary>
/// MT19937 exactly as PyTorch's <c>at::mt19937</c> (<c>aten/src/ATen/core/MT19937RNGEngine.h</c>):
/// <c>init_genrand</c> seeding from 32 bits, a full twist of the 624 words when they are used up, tempering
/// per draw. The state array doubles as the output buffer: after a twist word <c>i</c> of the state,
/// tempered, is draw <c>i</c> of the block, so bulk conversions temper straight from the state.
/// The twist and the bulk float conversion are vectorised (Vector512 / Vector256, scalar fallback); the
/// output is identical whichever path runs. Not thread-safe, like a torch.Generator used without its mutex.
/// </summary>
internal sealed class MersenneTwister
{
    internal const int StateSize = 624;
    internal const int Shift = 397;
    private const int LowRun = StateSize - Shift;     // 227 words whose partner i + 397 is still old
    private const uint MatrixA = 0x9908B0DFu;
    private const uint UpperMask = 0x80000000u;
    private const uint LowerMask = 0x7FFFFFFFu;
    private const uint TemperB = 0x9D2C5680u;
    private const uint TemperC = 0xEFC60000u;
    private const uint Mask24 = 0xFFFFFFu;
    private const float Scale24 = 1f / 16777216f;      // 2^-24, exact
    private const ulong Mask53 = (1UL << 53) - 1;
    private const double Scale53 = 1.0 / 9007199254740992.0;   // 2^-53, exact

    private readonly uint[] _state = new uint[StateSize];
    private int _next;   // index of the next untempered word in _state; StateSize = used up

    internal MersenneTwister(uint seed) => Seed(seed);

    /// <summary><c>init_genrand</c>: state[0] = seed, state[j] = 1812433253 * (s ^ (s >> 30)) + j.</summary>
    internal void Seed(uint seed)
    {
        uint[] s = _state;
        s[0] = seed;
        for (int j = 1; j < StateSize; j++)
        {
            uint p = s[j - 1];
            s[j] = unchecked(1812433253u * (p ^ (p >> 30)) + (uint)j);
        }
        _next = StateSize;
    }

    /// <summary>One 32-bit draw (<c>random()</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint NextUInt32()
    {
        int i = _next;
        if (i >= StateSize)
        {
            Twist(_state);
            i = 0;
        }
        _next = i + 1;
        return Temper(Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_state), i));
    }

    /// <summary>One 64-bit draw (<c>random64()</c>): the first 32-bit draw is the high word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong NextUInt64()
    {
        ulong high = NextUInt32();
        return (high << 32) | NextUInt32();
    }

    /// <summary>One float32 uniform per element: <c>(r &amp; 0xFFFFFF) * 2^-24</c>.</summary>
    internal void FillFloat24(Span<float> destination)
    {
        ref float dst = ref MemoryMarshal.GetReference(destination);
        ref uint state = ref MemoryMarshal.GetArrayDataReference(_state);
        int n = destination.Length;
        int done = 0;
        while (done < n)
        {
            int next = _next;
            if (next >= StateSize)
            {
                Twist(_state);
                next = 0;
            }
            int take = Math.Min(StateSize - next, n - done);
            ConvertFloat24(ref Unsafe.Add(ref state, next), ref Unsafe.Add(ref dst, done), take);
            _next = next + take;
            done += take;
        }
    }

    /// <summary>One float64 uniform per element: <c>(random64 &amp; (2^53 - 1)) * 2^-53</c>.</summary>
    internal void FillDouble53(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (double)(NextUInt64() & Mask53) * Scale53;
        }
    }

    /// <summary>A float64 uniform from one <c>random64()</c>, as <c>uniform_real_distribution&lt;double&gt;(0, 1)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal double NextDouble53() => (double)(NextUInt64() & Mask53) * Scale53;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Temper(uint y)
    {
        y ^= y >> 11;
        y ^= (y << 7) & TemperB;
        y ^= (y << 15) & TemperC;
        y ^= y >> 18;
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint TwistWord(uint current, uint following, uint partner)
    {
        uint y = (current & UpperMask) | (following & LowerMask);
        return partner ^ (y >> 1) ^ ((0u - (y & 1u)) & MatrixA);
    }

    /// <summary>Regenerates all 624 words in place, choosing the widest accelerated vector path.</summary>
    internal static void Twist(uint[] state)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            TwistVector512(state);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            TwistVector256(state);
        }
        else
        {
            TwistScalar(state);
        }
    }

    /// <summary>The textbook sequential twist (<c>next_state()</c>), kept for fallback and tests.</summary>
    internal static void TwistScalar(uint[] s)
    {
        int i = 0;
        for (; i < LowRun; i++)
        {
            s[i] = TwistWord(s[i], s[i + 1], s[i + Shift]);
        }
        for (; i < StateSize - 1; i++)
        {
            s[i] = TwistWord(s[i], s[i + 1], s[i - LowRun]);
        }
        s[StateSize - 1] = TwistWord(s[StateSize - 1], s[0], s[Shift - 1]);
    }

    // The in-place twist reads state[(i + 397) % 624]: for i < 227 that word is still old, for i >= 227 it
    // was rewritten 227 positions earlier. So the two runs [0, 227) (partner i + 397) and [227, 623)
    // (partner i - 227) are each contiguous, and a block of 8 or 16 never reads a word it writes itself.
    // Word 623 pairs with the NEW word 0 and is done last, on its own.

    /// <summary>The twist in blocks of 16 (then 8, then scalar) words.</summary>
    internal static void TwistVector512(uint[] state)
    {
        ref uint s = ref MemoryMarshal.GetArrayDataReference(state);
        TwistRun512(ref s, 0, LowRun, Shift);
        TwistRun512(ref s, LowRun, StateSize - 1, -LowRun);
        state[StateSize - 1] = TwistWord(state[StateSize - 1], state[0], state[Shift - 1]);
    }

    /// <summary>The twist in blocks of 8 (then scalar) words.</summary>
    internal static void TwistVector256(uint[] state)
    {
        ref uint s = ref MemoryMarshal.GetArrayDataReference(state);
        TwistRun256(ref s, 0, LowRun, Shift);
        TwistRun256(ref s, LowRun, StateSize - 1, -LowRun);
        state[StateSize - 1] = TwistWord(state[StateSize - 1], state[0], state[Shift - 1]);
    }

    private static void TwistRun512(ref uint s, int start, int end, int partnerOffset)
    {
        Vector512<uint> upper = Vector512.Create(UpperMask);
        Vector512<uint> lower = Vector512.Create(LowerMask);
        Vector512<uint> one = Vector512.Create(1u);
        Vector512<uint> matrix = Vector512.Create(MatrixA);
        int i = start;
        for (; i + 16 <= end; i += 16)
        {
            Vector512<uint> current = Vector512.LoadUnsafe(ref s, (nuint)i);
            Vector512<uint> following = Vector512.LoadUnsafe(ref s, (nuint)(i + 1));
            Vector512<uint> partner = Vector512.LoadUnsafe(ref s, (nuint)(i + partnerOffset));
            Vector512<uint> y = (current & upper) | (following & lower);
            Vector512<uint> odd = (Vector512<uint>.Zero - (y & one)) & matrix;
            (partner ^ Vector512.ShiftRightLogical(y, 1) ^ odd).StoreUnsafe(ref s, (nuint)i);
        }
        TwistRun256(ref s, i, end, partnerOffset);
    }

    private static void TwistRun256(ref uint s, int start, int end, int partnerOffset)
    {
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> upper = Vector256.Create(UpperMask);
            Vector256<uint> lower = Vector256.Create(LowerMask);
            Vector256<uint> one = Vector256.Create(1u);
            Vector256<uint> matrix = Vector256.Create(MatrixA);
            for (; i + 8 <= end; i += 8)
            {
                Vector256<uint> current = Vector256.LoadUnsafe(ref s, (nuint)i);
                Vector256<uint> following = Vector256.LoadUnsafe(ref s, (nuint)(i + 1));
                Vector256<uint> partner = Vector256.LoadUnsafe(ref s, (nuint)(i + partnerOffset));
                Vector256<uint> y = (current & upper) | (following & lower);
                Vector256<uint> odd = (Vector256<uint>.Zero - (y & one)) & matrix;
                (partner ^ Vector256.ShiftRightLogical(y, 1) ^ odd).StoreUnsafe(ref s, (nuint)i);
            }
        }
        for (; i < end; i++)
        {
            Unsafe.Add(ref s, i) = TwistWord(Unsafe.Add(ref s, i), Unsafe.Add(ref s, i + 1), Unsafe.Add(ref s, i + partnerOffset));
        }
    }

    /// <summary>Tempers <paramref name="count"/> state words and converts them to float32 uniforms.</summary>
    private static void ConvertFloat24(ref uint source, ref float destination, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<uint> b = Vector512.Create(TemperB);
            Vector512<uint> c = Vector512.Create(TemperC);
            Vector512<uint> mask = Vector512.Create(Mask24);
            Vector512<float> scale = Vector512.Create(Scale24);
            for (; i + 16 <= count; i += 16)
            {
                Vector512<uint> y = Vector512.LoadUnsafe(ref source, (nuint)i);
                y ^= Vector512.ShiftRightLogical(y, 11);
                y ^= Vector512.ShiftLeft(y, 7) & b;
                y ^= Vector512.ShiftLeft(y, 15) & c;
                y ^= Vector512.ShiftRightLogical(y, 18);
                (Vector512.ConvertToSingle((y & mask).AsInt32()) * scale).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> b = Vector256.Create(TemperB);
            Vector256<uint> c = Vector256.Create(TemperC);
            Vector256<uint> mask = Vector256.Create(Mask24);
            Vector256<float> scale = Vector256.Create(Scale24);
            for (; i + 8 <= count; i += 8)
            {
                Vector256<uint> y = Vector256.LoadUnsafe(ref source, (nuint)i);
                y ^= Vector256.ShiftRightLogical(y, 11);
                y ^= Vector256.ShiftLeft(y, 7) & b;
                y ^= Vector256.ShiftLeft(y, 15) & c;
                y ^= Vector256.ShiftRightLogical(y, 18);
                (Vector256.ConvertToSingle((y & mask).AsInt32()) * scale).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = (float)(int)(Temper(Unsafe.Add(ref source, i)) & Mask24) * Scale24;
        }
    }
}
