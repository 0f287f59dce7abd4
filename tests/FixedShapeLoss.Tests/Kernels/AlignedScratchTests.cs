using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary><see cref="AlignedScratch"/>, which the kernels' stack tiles go through so that no vector access in them
/// crosses a page (a page-split access made some processes 20-35% slower: see its doc comment). Starts at every
/// element offset from a 64-byte boundary, lengths from the padding up.</summary>
public unsafe class AlignedScratchTests
{
    [Fact]
    public void Padding_is_64_bytes_in_elements_rounded_up() =>
        Assert.Equal((16, 8, 2, 1), (AlignedScratch.Padding<float>(), AlignedScratch.Padding<double>(), AlignedScratch.Padding<Vector256<float>>(), AlignedScratch.Padding<Vector512<float>>()));

    [Fact]
    public void Span_overload_is_aligned_and_inside_for_float() => CheckSpan<float>();

    [Fact]
    public void Span_overload_is_aligned_and_inside_for_double() => CheckSpan<double>();

    [Fact]
    public void Pointer_overload_is_aligned_and_inside_for_vectors() => CheckPointer<Vector256<float>>();

    [Fact]
    public void Pointer_overload_is_aligned_and_inside_for_double() => CheckPointer<double>();

    private static void CheckSpan<T>()
        where T : unmanaged
    {
        int size = sizeof(T), padding = AlignedScratch.Padding<T>();
        Gen.Select(Gen.Int[0, (64 / size) - 1], Gen.Int[0, 200]).Sample((offset, extra) =>
        {
            int length = padding + extra;
            byte* block = (byte*)NativeMemory.AlignedAlloc((nuint)(((length + 64) * size) + 64), 64);
            try
            {
                var scratch = new Span<T>(block + (offset * size), length);
                Span<T> aligned = AlignedScratch.Align(scratch);
                nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(scratch));
                nuint got = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(aligned));
                Assert.Equal(0u, (uint)(got % 64));
                Assert.Equal(extra, aligned.Length);
                Assert.True(got >= start, "starts inside the scratch");
                Assert.True(got + ((nuint)aligned.Length * (nuint)size) <= start + ((nuint)length * (nuint)size), "ends inside the scratch");
                Assert.True(got - start < 64, "skips less than 64 bytes");
            }
            finally
            {
                NativeMemory.AlignedFree(block);
            }
        });
    }

    private static void CheckPointer<T>()
        where T : unmanaged
    {
        int size = sizeof(T), padding = AlignedScratch.Padding<T>();
        int step = Math.Min(size, 16); // a stackalloc starts at a multiple of 16 bytes, or of the element's size
        Gen.Select(Gen.Int[0, (64 / step) - 1], Gen.Int[0, 64]).Sample((offset, needed) =>
        {
            byte* block = (byte*)NativeMemory.AlignedAlloc((nuint)(((needed + padding + 2) * size) + 64), 64);
            try
            {
                T* start = (T*)(block + (offset * step));
                T* got = AlignedScratch.Align(start);
                Assert.Equal(0u, (uint)((nuint)got % 64));
                Assert.True(got >= start, "starts inside the scratch");
                Assert.True(got + needed <= start + needed + padding, "the needed elements end inside the scratch");
            }
            finally
            {
                NativeMemory.AlignedFree(block);
            }
        });
    }
}
