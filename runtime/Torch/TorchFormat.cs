using System;
using System.Globalization;
using System.Text;

namespace FixedShapeLoss;

/// <summary>
/// Formats a dense CPU tensor exactly as PyTorch's <c>repr(tensor)</c> does with the default print
/// options (precision 4, linewidth 80, threshold 1000, edgeitems 3, automatic scientific mode),
/// following <c>torch/_tensor_str.py</c>: <c>_Formatter</c>, <c>_vector_str</c>,
/// <c>_tensor_str_with_formatter</c>, <c>get_summarized_data</c>, <c>_add_suffixes</c> and the dense
/// branch of <c>_str_intern</c>.
/// </summary>
/// <remarks>
/// Values are given as the row-major flattening of the tensor; <c>shape</c> lists its sizes
/// (an empty shape is a 0-dim tensor holding one value). The output never depends on the current
/// culture.
/// </remarks>
public static class TorchFormat
{
    private const int LineWidth = 80;
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const string Prefix = "tensor(";

    private enum DType
    {
        Float32,
        Float64,
        Int64,
    }

    /// <summary>Formats a float32 tensor (PyTorch's default dtype: no dtype suffix).</summary>
    /// <param name="values">The elements in row-major order; its length must be the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The sizes of the dimensions; empty for a 0-dim tensor.</param>
    /// <returns>The same text as <c>repr(tensor)</c> in PyTorch, e.g. <c>tensor([0.5000, 1.2500])</c>.</returns>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not hold exactly <c>values.Length</c> elements.</exception>
    public static string Format(ReadOnlySpan<float> values, ReadOnlySpan<int> shape) =>
        FormatFloating(values, shape, DType.Float32);

    /// <summary>Formats a float64 tensor; PyTorch appends <c>dtype=torch.float64</c>.</summary>
    /// <param name="values">The elements in row-major order; its length must be the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The sizes of the dimensions; empty for a 0-dim tensor.</param>
    /// <returns>The same text as <c>repr(tensor)</c> in PyTorch, e.g. <c>tensor([0.5000, 1.2500], dtype=torch.float64)</c>.</returns>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not hold exactly <c>values.Length</c> elements.</exception>
    public static string Format(ReadOnlySpan<double> values, ReadOnlySpan<int> shape) =>
        FormatFloating(values, shape, DType.Float64);

    /// <summary>The float32 and float64 paths: every value widened to double (exact for float32), then
    /// PyTorch's float _Formatter over the values shown.</summary>
    private static string FormatFloating<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> shape, DType dtype)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        int count = CheckShape(values.Length, shape);
        int[]? shown = count > Threshold ? ShownIndices(shape) : null;
        int n = shown?.Length ?? count;
        var scan = new FloatScan();
        for (int k = 0; k < n; k++)
        {
            scan.Add(double.CreateChecked(values[shown is null ? k : shown[k]]));
        }

        var fill = new FloatFill(n, scan.Mode());
        for (int k = 0; k < n; k++)
        {
            fill.Add(double.CreateChecked(values[shown is null ? k : shown[k]]));
        }

        return Build(fill.Texts, fill.Width, shape, count, dtype);
    }

    /// <summary>Formats an int64 tensor (PyTorch's default integer dtype: no dtype suffix unless empty).</summary>
    /// <param name="values">The elements in row-major order; its length must be the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The sizes of the dimensions; empty for a 0-dim tensor.</param>
    /// <returns>The same text as <c>repr(tensor)</c> in PyTorch, e.g. <c>tensor([6, 2, 4, 3])</c>.</returns>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not hold exactly <c>values.Length</c> elements.</exception>
    public static string Format(ReadOnlySpan<long> values, ReadOnlySpan<int> shape)
    {
        int count = CheckShape(values.Length, shape);
        int[]? shown = count > Threshold ? ShownIndices(shape) : null;
        int n = shown?.Length ?? count;

        // _Formatter for integer dtypes: width = the longest str(v), at least 1.
        var texts = new string[n];
        int width = 1;
        for (int k = 0; k < n; k++)
        {
            string text = values[shown is null ? k : shown[k]].ToString(CultureInfo.InvariantCulture);
            texts[k] = text;
            width = Math.Max(width, text.Length);
        }

        return Build(texts, width, shape, count, DType.Int64);
    }

    // ---------------------------------------------------------------- shape and traversal

    /// <summary>Returns the element count; throws unless every dimension is non-negative and their product is <paramref name="valueCount"/>.</summary>
    private static int CheckShape(int valueCount, ReadOnlySpan<int> shape)
    {
        bool negative = false, zero = false;
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                negative = true;
            }
            else if (d == 0)
            {
                zero = true;
            }
            else if (product <= int.MaxValue)
            {
                product *= d; // at most int.MaxValue * int.MaxValue: no overflow
            }
        }

        if (negative)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Shape {ShapeText(shape)} has a negative dimension ({valueCount} values given)."),
                nameof(shape));
        }

        if (zero)
        {
            product = 0;
        }

        if (product != valueCount)
        {
            string holds = product > int.MaxValue
                ? string.Create(CultureInfo.InvariantCulture, $"more than {int.MaxValue}")
                : product.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Shape {ShapeText(shape)} holds {holds} elements but {valueCount} values were given."),
                nameof(shape));
        }

        return (int)product;
    }

    private static string ShapeText(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Whether dimension <paramref name="size"/> is cut to its edge items (<c>size &gt; 2 * edgeitems</c> while summarising).</summary>
    private static bool IsCut(int size, bool summarize) => summarize && size > 2 * EdgeItems;

    /// <summary>
    /// The flat indices of the printed elements in row-major order when summarising: the first and
    /// last <c>edgeitems</c> of every dimension longer than <c>2 * edgeitems</c>, every index of the
    /// others (the elements of <c>get_summarized_data</c>, in printing order).
    /// </summary>
    private static int[] ShownIndices(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= IsCut(d, summarize: true) ? 2 * EdgeItems : d;
        }

        var result = new int[checked((int)n)];
        int next = 0;
        CollectShown(shape, 0, 0, result, ref next);
        return result;
    }

    private static void CollectShown(ReadOnlySpan<int> shape, int dim, int offset, int[] result, ref int next)
    {
        if (dim == shape.Length)
        {
            result[next++] = offset;
            return;
        }

        int size = shape[dim];
        int stride = 1;
        for (int k = dim + 1; k < shape.Length; k++)
        {
            stride *= shape[k];
        }

        bool cut = IsCut(size, summarize: true);
        for (int i = 0; i < size; i++)
        {
            if (cut && i == EdgeItems)
            {
                i = size - EdgeItems;
            }

            CollectShown(shape, dim + 1, offset + i * stride, result, ref next);
        }
    }

    // ---------------------------------------------------------------- _Formatter

    private enum FloatMode
    {
        /// <summary>All nonzero finite values whole: <c>{:.0f}</c> plus a trailing <c>.</c> on finite values.</summary>
        Int,

        /// <summary><c>{:.4f}</c>.</summary>
        Fixed,

        /// <summary><c>{:.4e}</c>.</summary>
        Scientific,
    }

    /// <summary>First pass of <c>_Formatter.__init__</c>: min/max magnitude and wholeness of the nonzero finite values.</summary>
    private struct FloatScan
    {
        private bool _any;
        private bool _notWhole;
        private double _min;
        private double _max;

        public void Add(double v)
        {
            if (v == 0 || !double.IsFinite(v))
            {
                return;
            }

            double a = Math.Abs(v);
            if (!_any)
            {
                _any = true;
                _min = a;
                _max = a;
            }
            else
            {
                _min = Math.Min(_min, a);
                _max = Math.Max(_max, a);
            }

            if (v != Math.Ceiling(v))
            {
                _notWhole = true;
            }
        }

        public readonly FloatMode Mode()
        {
            if (!_any)
            {
                return FloatMode.Int;
            }

            bool sci = _max / _min > 1000.0 || _max > 1.0e8;
            if (!_notWhole)
            {
                return sci ? FloatMode.Scientific : FloatMode.Int;
            }

            return sci || _min < 1.0e-4 ? FloatMode.Scientific : FloatMode.Fixed;
        }
    }

    /// <summary>Formats the shown float elements and tracks the width (<c>max_width</c>: from the nonzero finite ones only, at least 1).</summary>
    private struct FloatFill
    {
        private readonly FloatMode _mode;
        private int _count;

        public FloatFill(int n, FloatMode mode)
        {
            _mode = mode;
            Texts = new string[n];
            Width = 1;
            _count = 0;
        }

        public string[] Texts { get; }

        public int Width { get; private set; }

        public void Add(double v)
        {
            string text = FormatFloat(v, _mode);
            Texts[_count++] = text;
            if (v != 0 && double.IsFinite(v) && text.Length > Width)
            {
                Width = text.Length;
            }
        }
    }

    /// <summary>
    /// One element as Python formats it (before padding): <c>{:.0f}</c> + <c>.</c>, <c>{:.4f}</c> or
    /// <c>{:.4e}</c>; non-finite values are <c>nan</c>, <c>inf</c>, <c>-inf</c> in every mode.
    /// </summary>
    private static string FormatFloat(double v, FloatMode mode)
    {
        if (double.IsNaN(v))
        {
            return "nan";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "inf" : "-inf";
        }

        if (mode == FloatMode.Scientific)
        {
            return Scientific(v);
        }

        // .NET Core 3.0+ formats the exact binary value and rounds half to even, as Python does
        // (0.03125 -> "0.0312"), and keeps the sign of negative zero ("-0", "-0.0000"). Values in
        // these two modes are at most 1e8 in magnitude, so the text is short.
        Span<char> buffer = stackalloc char[64];
        if (!v.TryFormat(buffer, out int written, mode == FloatMode.Int ? "F0" : "F4", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Unexpectedly long fixed-point representation.");
        }

        if (mode == FloatMode.Int)
        {
            buffer[written++] = '.';
        }

        return new string(buffer.Slice(0, written));
    }

    /// <summary>Python's <c>'{:.4e}'</c>: .NET's <c>E4</c> with the exponent rewritten from <c>E+005</c> to <c>e+05</c>.</summary>
    private static string Scientific(double v)
    {
        Span<char> buffer = stackalloc char[32];
        if (!v.TryFormat(buffer, out int written, "E4", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Unexpectedly long scientific representation.");
        }

        var s = buffer.Slice(0, written);
        int e = s.IndexOf('E');
        var mantissa = s.Slice(0, e);
        char sign = s[e + 1];
        var digits = s.Slice(e + 2).TrimStart('0');
        Span<char> result = stackalloc char[40];
        int n = 0;
        mantissa.CopyTo(result);
        n += mantissa.Length;
        result[n++] = 'e';
        result[n++] = sign;
        for (int pad = digits.Length; pad < 2; pad++)
        {
            result[n++] = '0';
        }

        digits.CopyTo(result.Slice(n));
        n += digits.Length;
        return new string(result.Slice(0, n));
    }

    // ---------------------------------------------------------------- layout

    private static string Build(string[] texts, int width, ReadOnlySpan<int> shape, int count, DType dtype)
    {
        var sb = new StringBuilder(Prefix, 16 + texts.Length * (width + 2));
        int indent = Prefix.Length;
        if (count == 0)
        {
            // _str_intern: an empty tensor prints "[]", its size unless it is 1-D, and its dtype
            // unless it is the default float32 (an empty int64 tensor says dtype=torch.int64).
            sb.Append("[]");
            if (shape.Length != 1)
            {
                AddSuffix(sb, "size=" + PythonTuple(shape), indent);
            }

            if (dtype != DType.Float32)
            {
                AddSuffix(sb, DTypeSuffix(dtype), indent);
            }
        }
        else
        {
            bool summarize = count > Threshold;
            int next = 0;
            if (shape.Length == 0)
            {
                Pad(sb, texts[next++], width);
            }
            else
            {
                AppendTensor(sb, texts, ref next, width, shape, 0, indent, summarize);
            }

            if (dtype == DType.Float64)
            {
                AddSuffix(sb, DTypeSuffix(dtype), indent);
            }
        }

        return sb.Append(')').ToString();
    }

    private static string DTypeSuffix(DType dtype) => dtype switch
    {
        DType.Float64 => "dtype=torch.float64",
        DType.Int64 => "dtype=torch.int64",
        _ => "dtype=torch.float32",
    };

    /// <summary>Python's <c>str(tuple(shape))</c>: <c>(0, 3)</c>, <c>(0,)</c>, <c>()</c>.</summary>
    private static string PythonTuple(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        if (shape.Length == 1)
        {
            sb.Append(',');
        }

        return sb.Append(')').ToString();
    }

    /// <summary>
    /// <c>_add_suffixes</c> for one suffix: on the same line after <c>", "</c> unless
    /// <c>last_line_len + len(suffix) + 2 &gt; linewidth</c>, where PyTorch's
    /// <c>last_line_len = len(s) - s.rfind("\n") + 1</c> (the last line's length plus 2).
    /// </summary>
    private static void AddSuffix(StringBuilder sb, string suffix, int indent)
    {
        int lastNewline = -1;
        for (int i = sb.Length - 1; i >= 0; i--)
        {
            if (sb[i] == '\n')
            {
                lastNewline = i;
                break;
            }
        }

        int lastLineLength = sb.Length - lastNewline + 1;
        if (lastLineLength + suffix.Length + 2 > LineWidth)
        {
            sb.Append(",\n").Append(' ', indent).Append(suffix);
        }
        else
        {
            sb.Append(", ").Append(suffix);
        }
    }

    private static void Pad(StringBuilder sb, string text, int width)
    {
        if (text.Length < width)
        {
            sb.Append(' ', width - text.Length);
        }

        sb.Append(text);
    }

    /// <summary><c>_tensor_str_with_formatter</c> for a tensor of rank &gt;= 1 (sub-tensor <paramref name="dim"/> onwards).</summary>
    private static void AppendTensor(
        StringBuilder sb, string[] texts, ref int next, int width, ReadOnlySpan<int> shape, int dim, int indent, bool summarize)
    {
        int size = shape[dim];
        bool cut = IsCut(size, summarize);
        if (dim == shape.Length - 1)
        {
            AppendVector(sb, texts, ref next, width, size, cut, indent);
            return;
        }

        int newlines = shape.Length - dim - 1;
        sb.Append('[');
        for (int i = 0; i < size; i++)
        {
            if (i > 0)
            {
                AppendSeparator(sb, newlines, indent + 1);
            }

            if (cut && i == EdgeItems)
            {
                sb.Append("...");
                AppendSeparator(sb, newlines, indent + 1);
                i = size - EdgeItems;
            }

            AppendTensor(sb, texts, ref next, width, shape, dim + 1, indent + 1, summarize);
        }

        sb.Append(']');
    }

    private static void AppendSeparator(StringBuilder sb, int newlines, int spaces) =>
        sb.Append(',').Append('\n', newlines).Append(' ', spaces);

    /// <summary><c>_vector_str</c>: <c>max(1, floor((linewidth - indent) / (width + 2)))</c> entries a line, <c>" ..."</c> counting as one.</summary>
    private static void AppendVector(StringBuilder sb, string[] texts, ref int next, int width, int size, bool cut, int indent)
    {
        int perLine = Math.Max(1, FloorDiv(LineWidth - indent, width + 2));
        int entries = cut ? 2 * EdgeItems + 1 : size;
        sb.Append('[');
        for (int e = 0; e < entries; e++)
        {
            if (e > 0)
            {
                if (e % perLine == 0)
                {
                    sb.Append(",\n").Append(' ', indent + 1);
                }
                else
                {
                    sb.Append(", ");
                }
            }

            if (cut && e == EdgeItems)
            {
                sb.Append(" ...");
            }
            else
            {
                Pad(sb, texts[next++], width);
            }
        }

        sb.Append(']');
    }

    private static int FloorDiv(int a, int b)
    {
        int q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
