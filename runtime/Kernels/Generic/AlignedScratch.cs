using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixedShapeLoss;

/// <summary>
/// Stack scratch aligned to <see cref="Bytes"/>, for the kernels' tiles of vectors. A <c>stackalloc</c> block is only
/// 16-byte aligned, so a 32- or 64-byte vector stored in it can straddle a 4 KiB page boundary; such a split access
/// costs tens of cycles each time. Where the stack happens to sit decides it, so it showed as a per-process slow
/// mode: the 4 x 7 double forward at 62-79 ns instead of 58 ns (Zen 4, AVX-512) in 7 processes of 100, the tile's
/// column vectors at [rsp] crossing a page in 7 of the 256 16-byte stack positions of a page (stop 21: a scan of the
/// stack depth in one process, 16 bytes at a time, found exactly those 7 slow positions, each with one column across
/// the boundary). From an aligned start, a vector at a multiple of its own size never crosses a cache line or a page.
/// </summary>
internal static class AlignedScratch
{
    /// <summary>The alignment, in bytes: the widest vector (<c>Vector512</c>) and a cache line.</summary>
    public const int Bytes = 64;

    /// <summary>The elements of <typeparamref name="T"/> to allocate beyond the ones needed, room for
    /// <see cref="Align{T}(Span{T})"/> or <see cref="Align{T}(T*)"/> to skip to the boundary.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns><see cref="Bytes"/> / size of <typeparamref name="T"/>, rounded up.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Padding<T>()
        where T : unmanaged =>
        (Bytes + Unsafe.SizeOf<T>() - 1) / Unsafe.SizeOf<T>();

    /// <summary>The part of <paramref name="scratch"/> that starts at its first <see cref="Bytes"/>-aligned element,
    /// <see cref="Padding{T}"/> elements shorter than <paramref name="scratch"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="scratch">Memory that does not move (a <c>stackalloc</c>) with room for the padding, its start a
    /// multiple of the size of <typeparamref name="T"/>.</param>
    /// <returns>The aligned part.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Span<T> Align<T>(Span<T> scratch)
        where T : unmanaged
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(scratch));
        nuint skip = ((nuint)Bytes - (address % Bytes)) % Bytes / (nuint)Unsafe.SizeOf<T>();
        return scratch.Slice((int)skip, scratch.Length - Padding<T>());
    }

    /// <summary><paramref name="scratch"/> rounded up to the next multiple of <see cref="Bytes"/>: allocate
    /// <see cref="Padding{T}"/> elements more than needed.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="scratch">The start of a <c>stackalloc</c>.</param>
    /// <returns>The aligned start.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T* Align<T>(T* scratch)
        where T : unmanaged =>
        (T*)(((nuint)scratch + (Bytes - 1)) & ~(nuint)(Bytes - 1));
}
