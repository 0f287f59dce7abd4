using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;

namespace FixedShapeLoss;

/// <summary>
/// Which element type's multiply-adds are fused on ARM64: double only. float stays unfused there, as
/// <c>KernelMath</c>'s float helpers are: the RNG's Box-Muller shares their bits, which must match PyTorch's
/// <c>torch.randn</c>. x86 fuses both wherever FMA is supported. Every vector width and the scalar tail ask this one
/// place (Simd128/256/512, SimdScalar, the family's vectors), so every width rounds alike.
/// </summary>
internal static class FusedOnArm64
{
    /// <summary>Whether this is ARM64 and <typeparamref name="T"/> is double: a constant to the JIT.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>True where the multiply-adds of <typeparamref name="T"/> are fused on ARM64.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Applies<T>() => AdvSimd.Arm64.IsSupported && typeof(T) == typeof(double);
}
