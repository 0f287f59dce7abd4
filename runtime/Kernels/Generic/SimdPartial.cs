using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

/// <summary>Width-independent pieces of the vector types: lane indices, the element-by-element partial load and
/// store (where the ISA has no masked load, and for every partial store: masked stores are slow on AMD).</summary>
internal static class SimdPartial
{
    /// <summary>A vector whose lane k holds k.</summary>
    public static TV LaneIndex<TV, T>()
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV v = default;
        ref T lanes = ref Unsafe.As<TV, T>(ref v);
        for (int k = 0; k < TV.Count; k++)
        {
            Unsafe.Add(ref lanes, k) = T.CreateTruncating(k);
        }

        return v;
    }

    /// <summary>The first <paramref name="count"/> elements of <paramref name="source"/>, the other lanes
    /// <paramref name="fill"/>: element reads only, none past <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV LoadByElements<TV, T>(ref T source, int count, T fill)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV v = TV.Create(fill);
        ref T lanes = ref Unsafe.As<TV, T>(ref v);
        for (int k = 0; k < count; k++)
        {
            Unsafe.Add(ref lanes, k) = Unsafe.Add(ref source, k);
        }

        return v;
    }

    /// <summary>Writes the first <paramref name="count"/> lanes of <paramref name="value"/>, element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreByElements<TV, T>(TV value, ref T destination, int count)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T lanes = ref Unsafe.As<TV, T>(ref value);
        for (int k = 0; k < count; k++)
        {
            Unsafe.Add(ref destination, k) = Unsafe.Add(ref lanes, k);
        }
    }
}
