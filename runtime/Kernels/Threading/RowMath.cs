using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

/// <summary>The row operations of <see cref="KernelMath"/> that the generated row loops call, as static abstract
/// members, so the blocked row loops (KernelMath.Blocked.cs) are written once for float and double and call exactly
/// the helpers the generated code calls for that element type.</summary>
internal interface IRowMath<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T LogSumExp(ReadOnlySpan<T> matrix, int offset, int count, out T max);

    static abstract T Softmax(ReadOnlySpan<T> matrix, int offset, int count, T factor, Span<T> destination, out T max);

    static abstract void LogSoftmax(ReadOnlySpan<T> matrix, int offset, int count, Span<T> destination);

    static abstract T Max(ReadOnlySpan<T> x);

    static abstract T Sum(ReadOnlySpan<T> x);

    static abstract T SumShifted(ReadOnlySpan<T> x, T shift);

    static abstract T DotShifted(ReadOnlySpan<T> w, ReadOnlySpan<T> x, T shift);

    static abstract T SmoothedDotShifted(ReadOnlySpan<T> t, ReadOnlySpan<T> x, T shift, T oneMinusSmoothing, T smoothingPerClass);

    static abstract void MultiplyAdd(ReadOnlySpan<T> x, T factor, Span<T> destination);

    static abstract void Subtract(ReadOnlySpan<T> x, T value, Span<T> destination);
}

/// <summary>The float row operations of <see cref="KernelMath"/>.</summary>
internal readonly struct FloatRowMath : IRowMath<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LogSumExp(ReadOnlySpan<float> matrix, int offset, int count, out float max) => KernelMath.RowLogSumExp(matrix, offset, count, out max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softmax(ReadOnlySpan<float> matrix, int offset, int count, float factor, Span<float> destination, out float max) =>
        KernelMath.RowSoftmax(matrix, offset, count, factor, destination, out max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax(ReadOnlySpan<float> matrix, int offset, int count, Span<float> destination) => KernelMath.RowLogSoftmax(matrix, offset, count, destination);

    public static float Max(ReadOnlySpan<float> x) => KernelMath.Max(x);

    public static float Sum(ReadOnlySpan<float> x) => KernelMath.Sum(x);

    public static float SumShifted(ReadOnlySpan<float> x, float shift) => KernelMath.SumShifted(x, shift);

    public static float DotShifted(ReadOnlySpan<float> w, ReadOnlySpan<float> x, float shift) => KernelMath.DotShifted(w, x, shift);

    public static float SmoothedDotShifted(ReadOnlySpan<float> t, ReadOnlySpan<float> x, float shift, float oneMinusSmoothing, float smoothingPerClass) =>
        KernelMath.SmoothedDotShifted(t, x, shift, oneMinusSmoothing, smoothingPerClass);

    public static void MultiplyAdd(ReadOnlySpan<float> x, float factor, Span<float> destination) => KernelMath.MultiplyAdd(x, factor, destination);

    public static void Subtract(ReadOnlySpan<float> x, float value, Span<float> destination) => KernelMath.Subtract(x, value, destination);
}

/// <summary>The double row operations of <see cref="KernelMath"/>.</summary>
internal readonly struct DoubleRowMath : IRowMath<double>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double LogSumExp(ReadOnlySpan<double> matrix, int offset, int count, out double max) => KernelMath.RowLogSumExp(matrix, offset, count, out max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softmax(ReadOnlySpan<double> matrix, int offset, int count, double factor, Span<double> destination, out double max) =>
        KernelMath.RowSoftmax(matrix, offset, count, factor, destination, out max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax(ReadOnlySpan<double> matrix, int offset, int count, Span<double> destination) => KernelMath.RowLogSoftmax(matrix, offset, count, destination);

    public static double Max(ReadOnlySpan<double> x) => KernelMath.Max(x);

    public static double Sum(ReadOnlySpan<double> x) => KernelMath.Sum(x);

    public static double SumShifted(ReadOnlySpan<double> x, double shift) => KernelMath.SumShifted(x, shift);

    public static double DotShifted(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double shift) => KernelMath.DotShifted(w, x, shift);

    public static double SmoothedDotShifted(ReadOnlySpan<double> t, ReadOnlySpan<double> x, double shift, double oneMinusSmoothing, double smoothingPerClass) =>
        KernelMath.SmoothedDotShifted(t, x, shift, oneMinusSmoothing, smoothingPerClass);

    public static void MultiplyAdd(ReadOnlySpan<double> x, double factor, Span<double> destination) => KernelMath.MultiplyAdd(x, factor, destination);

    public static void Subtract(ReadOnlySpan<double> x, double value, Span<double> destination) => KernelMath.Subtract(x, value, destination);
}
