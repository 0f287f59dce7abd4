using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests;

/// <summary>
/// <see cref="TorchFormat"/> against PyTorch's <c>repr(tensor)</c>: every case of
/// <c>Data/torch-print.json</c>, then hand-built cases.
/// </summary>
/// <remarks>
/// The hand-built expectations are literals derived from the rules of <c>torch/_tensor_str.py</c>
/// (<c>_Formatter</c>, <c>_vector_str</c>, <c>_tensor_str_with_formatter</c>, <c>get_summarized_data</c>,
/// <c>_add_suffixes</c>, <c>_str_intern</c>) with PyTorch's default print options. Python formatted the
/// numbers (<c>'{:.4f}'</c>, <c>'{:.4e}'</c>, <c>'{:.0f}'</c>), and the layouts were cross-checked against
/// a plain-Python transcription of <c>_tensor_str.py</c> over nested lists (torch itself is not installed
/// here). None was produced by running <see cref="TorchFormat"/>.
/// </remarks>
public class TorchFormatTests
{
    // ---------------------------------------------------------------- reference data

    public static IEnumerable<object[]> ReferenceCases()
    {
        using var doc = TestData.Load("torch-print.json");
        int count = doc.RootElement.GetProperty("cases").GetArrayLength();
        return Enumerable.Range(0, count).Select(i => new object[] { i });
    }

    [Fact]
    public void ReferenceDataIsPresent()
    {
        using var doc = TestData.Load("torch-print.json");
        Assert.True(doc.RootElement.GetProperty("cases").GetArrayLength() >= 9);
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void MatchesTorchRepr(int index)
    {
        using var doc = TestData.Load("torch-print.json");
        JsonElement item = doc.RootElement.GetProperty("cases")[index];
        JsonElement tensor = item.GetProperty("tensor");
        string expected = item.GetProperty("repr").GetString()!;
        int[] shape = TestData.Shape(tensor);
        string dtype = tensor.GetProperty("dtype").GetString()!;
        string actual = dtype switch
        {
            "float32" => TorchFormat.Format(TestData.FloatBits(tensor), shape),
            "float64" => TorchFormat.Format(TestData.DoubleBits(tensor), shape),
            "int64" => TorchFormat.Format(TestData.Longs(tensor), shape),
            _ => throw new InvalidOperationException("Unexpected dtype " + dtype),
        };
        Assert.Equal(expected, actual);
    }

    // ---------------------------------------------------------------- hand-built cases

    [Fact]
    public void Int64Negatives()
    {
        Assert.Equal("tensor([  -5,   12, -300,    0,    7])", TorchFormat.Format(new long[] { -5, 12, -300, 0, 7 }, new[] { 5 }));
    }

    [Fact]
    public void Int64Wide()
    {
        // width 13 (len("1234567890123")); per line floor(73 / 15) = 4.
        Assert.Equal("tensor([           -5,            12, 1234567890123,             0])", TorchFormat.Format(new long[] { -5, 12, 1234567890123, 0 }, new[] { 4 }));
    }

    [Fact]
    public void Int64Extremes()
    {
        Assert.Equal("tensor([-9223372036854775808,  9223372036854775807])", TorchFormat.Format(new long[] { long.MinValue, long.MaxValue }, new[] { 2 }));
    }

    [Fact]
    public void Int64Wrap30()
    {
        // width 2; per line floor((80 - 7) / (2 + 2)) = 18.
        const string expected =
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n" +
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])";
        Assert.Equal(expected, TorchFormat.Format(Longs(30, i => i), new[] { 30 }));
    }

    [Fact]
    public void Int64WrapWide()
    {
        // width 12; per line floor(73 / 14) = 5; continuation lines start at column 8.
        const string expected =
            "tensor([  1000000000,  -2000000000,   3000000000,  -4000000000,   5000000000,\n" +
            "         -6000000000,   7000000000,  -8000000000,   9000000000, -10000000000,\n" +
            "         11000000000, -12000000000])";
        Assert.Equal(expected, TorchFormat.Format(new long[] { 1000000000, -2000000000, 3000000000, -4000000000, 5000000000, -6000000000, 7000000000, -8000000000, 9000000000, -10000000000, 11000000000, -12000000000 }, new[] { 12 }));
    }

    [Fact]
    public void Int64_3D()
    {
        const string expected =
            "tensor([[[ 0,  1,  2],\n" +
            "         [ 3,  4,  5]],\n" +
            "\n" +
            "        [[ 6,  7,  8],\n" +
            "         [ 9, 10, 11]]])";
        Assert.Equal(expected, TorchFormat.Format(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, new[] { 2, 2, 3 }));
    }

    [Fact]
    public void Int64_0Dim()
    {
        Assert.Equal("tensor(3)", TorchFormat.Format(new long[] { 3 }, Array.Empty<int>()));
    }

    [Fact]
    public void Int64_0DimNegative()
    {
        Assert.Equal("tensor(-42)", TorchFormat.Format(new long[] { -42 }, Array.Empty<int>()));
    }

    [Fact]
    public void FloatIntMode()
    {
        Assert.Equal("tensor([  1.,  -2., 300.])", TorchFormat.Format(new float[] { 1f, -2f, 300f }, new[] { 3 }));
    }

    [Fact]
    public void FloatIntModeRatioExactly1000()
    {
        // max / min == 1000 is not > 1000: int mode, width len("1000.") = 5.
        Assert.Equal("tensor([   1., 1000.])", TorchFormat.Format(new float[] { 1f, 1000f }, new[] { 2 }));
    }

    [Fact]
    public void FloatIntModeRatioOver1000()
    {
        // whole numbers but max / min = 2000 > 1000: scientific.
        Assert.Equal("tensor([1.0000e+00, 2.0000e+03])", TorchFormat.Format(new float[] { 1f, 2000f }, new[] { 2 }));
    }

    [Fact]
    public void FloatIntModeMaxExactly1e8()
    {
        // max == 1e8 is not > 1e8: int mode.
        Assert.Equal("tensor([100000000.,  99999992.])", TorchFormat.Format(new float[] { 100000000f, 99999992f }, new[] { 2 }));
    }

    [Fact]
    public void FloatIntModeMaxOver1e8()
    {
        // whole numbers, max > 1e8: scientific.
        Assert.Equal("tensor([1.0000e+09, 2.0000e+09])", TorchFormat.Format(new float[] { 1000000000f, 2000000000f }, new[] { 2 }));
    }

    [Fact]
    public void FloatIntModeWithZeros()
    {
        // zeros do not count for the mode or the width (4, from "-10.").
        Assert.Equal("tensor([  0.,   0.,   5., -10.])", TorchFormat.Format(new float[] { 0f, 0f, 5f, -10f }, new[] { 4 }));
    }

    [Fact]
    public void FloatAllZeros()
    {
        Assert.Equal("tensor([0., 0., 0.])", TorchFormat.Format(new float[] { 0f, 0f, 0f }, new[] { 3 }));
    }

    [Fact]
    public void FloatFixed()
    {
        Assert.Equal("tensor([ 0.5000, -1.2500, 10.0625,  3.0000])", TorchFormat.Format(new float[] { 0.5f, -1.25f, 10.0625f, 3f }, new[] { 4 }));
    }

    [Fact]
    public void FloatSciRatio()
    {
        // not whole, max / min = 1201 > 1000: scientific.
        Assert.Equal("tensor([5.0000e-01, 6.0050e+02])", TorchFormat.Format(new float[] { 0.5f, 600.5f }, new[] { 2 }));
    }

    [Fact]
    public void FloatSciMin()
    {
        // not whole, min < 1e-4: scientific.
        Assert.Equal("tensor([5.0000e-05, 5.0000e-01])", TorchFormat.Format(new float[] { 5e-05f, 0.5f }, new[] { 2 }));
    }

    [Fact]
    public void Float32TenToMinus4IsBelow1e4()
    {
        // 1e-4f widens to 9.99999974737875e-05 < 1e-4: scientific.
        Assert.Equal("tensor([1.0000e-04, 5.0000e-02])", TorchFormat.Format(new float[] { 0.0001f, 0.05f }, new[] { 2 }));
    }

    [Fact]
    public void Float64TenToMinus4IsNotBelow()
    {
        // 1e-4 (float64) is not < 1e-4 and max / min = 500: fixed.
        Assert.Equal("tensor([0.0001, 0.0500], dtype=torch.float64)", TorchFormat.Format(new double[] { 0.0001, 0.05 }, new[] { 2 }));
    }

    [Fact]
    public void Float64SciMax()
    {
        // not whole, max > 1e8: scientific.
        Assert.Equal("tensor([1.2346e+08, 1.0000e+08], dtype=torch.float64)", TorchFormat.Format(new double[] { 123456789.5, 100000000.25 }, new[] { 2 }));
    }

    [Fact]
    public void FloatSciExponentTwoDigitsAndNegative()
    {
        Assert.Equal("tensor([-1.5000e-20,  3.0000e+10,  1.0000e+00])", TorchFormat.Format(new float[] { -1.5e-20f, 30000000000f, 1f }, new[] { 3 }));
    }

    [Fact]
    public void Float64SciThreeDigitExponent()
    {
        // width 11 from '-2.5000e-200'; Python keeps three exponent digits when needed.
        Assert.Equal("tensor([ 1.0000e+100, -2.5000e-200,   1.0000e+00], dtype=torch.float64)", TorchFormat.Format(new double[] { 1e+100, -2.5e-200, 1 }, new[] { 3 }));
    }

    [Fact]
    public void FloatRoundingHalfEven()
    {
        // exact binary ties round half to even as Python's '{:.4f}' does.
        Assert.Equal("tensor([0.0312, 0.0938, 1.0312, 2.5000], dtype=torch.float64)", TorchFormat.Format(new double[] { 0.03125, 0.09375, 1.03125, 2.5 }, new[] { 4 }));
    }

    [Fact]
    public void NanInfIntMode()
    {
        // only 1. is nonzero finite: int mode, width 2; nan/inf get no "." and are not cut.
        Assert.Equal("tensor([nan, 1., inf, -inf])", TorchFormat.Format(new float[] { float.NaN, 1f, float.PositiveInfinity, float.NegativeInfinity }, new[] { 4 }));
    }

    [Fact]
    public void NanInfFixed()
    {
        // fixed width 6; nan and -inf right-aligned.
        Assert.Equal("tensor([   nan, 1.5000,   -inf])", TorchFormat.Format(new float[] { float.NaN, 1.5f, float.NegativeInfinity }, new[] { 3 }));
    }

    [Fact]
    public void NanInfSci()
    {
        // scientific width 10; nan and inf right-aligned.
        Assert.Equal("tensor([       nan, 1.0000e-05,        inf])", TorchFormat.Format(new float[] { float.NaN, 1e-05f, float.PositiveInfinity }, new[] { 3 }));
    }

    [Fact]
    public void AllNan()
    {
        Assert.Equal("tensor([nan, nan])", TorchFormat.Format(new float[] { float.NaN, float.NaN }, new[] { 2 }));
    }

    [Fact]
    public void NanInfOnlyWide()
    {
        // no nonzero finite value: int mode, width 1.
        const string expected =
            "tensor([[inf, -inf],\n" +
            "        [nan, 0.]])";
        Assert.Equal(expected, TorchFormat.Format(new float[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f }, new[] { 2, 2 }));
    }

    [Fact]
    public void NegativeZeroIntMode()
    {
        // Python formats -0.0 as '-0' ('{:.0f}').
        Assert.Equal("tensor([-0., 0.])", TorchFormat.Format(new float[] { -0.0f, 0f }, new[] { 2 }));
    }

    [Fact]
    public void NegativeZeroFixed()
    {
        // '-0.0000' is 7 characters, wider than the width 6, and is not cut.
        Assert.Equal("tensor([-0.0000, 1.5000])", TorchFormat.Format(new float[] { -0.0f, 1.5f }, new[] { 2 }));
    }

    [Fact]
    public void NegativeZeroSci()
    {
        // '{:10.4e}'.format(-0.0) is '-0.0000e+00' (11 characters).
        Assert.Equal("tensor([-0.0000e+00, 1.0000e-05])", TorchFormat.Format(new float[] { -0.0f, 1e-05f }, new[] { 2 }));
    }

    [Fact]
    public void NegativeZeroWithWideFixed()
    {
        Assert.Equal("tensor([-0.0000, 12.5000, -3.2500])", TorchFormat.Format(new float[] { -0.0f, 12.5f, -3.25f }, new[] { 3 }));
    }

    [Fact]
    public void Float0Dim()
    {
        // 0-dim: the element alone, no brackets.
        Assert.Equal("tensor(1.9459)", TorchFormat.Format(new float[] { 1.9459f }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimWhole()
    {
        Assert.Equal("tensor(2.)", TorchFormat.Format(new float[] { 2f }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimNegZero()
    {
        Assert.Equal("tensor(-0.)", TorchFormat.Format(new float[] { -0.0f }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimNan()
    {
        Assert.Equal("tensor(nan)", TorchFormat.Format(new float[] { float.NaN }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimInf()
    {
        Assert.Equal("tensor(-inf)", TorchFormat.Format(new float[] { float.NegativeInfinity }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimSci()
    {
        Assert.Equal("tensor(1.0000e-05)", TorchFormat.Format(new float[] { 1e-05f }, Array.Empty<int>()));
    }

    [Fact]
    public void Float0DimZero()
    {
        Assert.Equal("tensor(0.)", TorchFormat.Format(new float[] { 0f }, Array.Empty<int>()));
    }

    [Fact]
    public void Double0Dim()
    {
        Assert.Equal("tensor(2.5000, dtype=torch.float64)", TorchFormat.Format(new double[] { 2.5 }, Array.Empty<int>()));
    }

    [Fact]
    public void Double0DimWhole()
    {
        Assert.Equal("tensor(3., dtype=torch.float64)", TorchFormat.Format(new double[] { 3 }, Array.Empty<int>()));
    }

    [Fact]
    public void FloatWrap30()
    {
        // fixed width 7; per line floor(73 / 9) = 8.
        const string expected =
            "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n" +
            "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n" +
            "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n" +
            "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])";
        Assert.Equal(expected, TorchFormat.Format(Floats(30, i => 1.5f * i), new[] { 30 }));
    }

    [Fact]
    public void FloatWrapSci()
    {
        // width 10; per line floor(73 / 12) = 6.
        const string expected =
            "tensor([1.5000e-04, 1.5000e-03, 1.5000e-02, 1.5000e-01, 1.5000e+00, 1.5000e+01,\n" +
            "        1.5000e+02, 1.5000e+03])";
        Assert.Equal(expected, TorchFormat.Format(new float[] { 0.00015f, 0.0015f, 0.015f, 0.15f, 1.5f, 15f, 150f, 1500f }, new[] { 8 }));
    }

    [Fact]
    public void Float2DWrap()
    {
        // rows at indent 8: per line floor(72 / 9) = 8, continuation at column 9.
        const string expected =
            "tensor([[ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n" +
            "          8.5000,  9.5000, 10.5000, 11.5000],\n" +
            "        [12.5000, 13.5000, 14.5000, 15.5000, 16.5000, 17.5000, 18.5000, 19.5000,\n" +
            "         20.5000, 21.5000, 22.5000, 23.5000]])";
        Assert.Equal(expected, TorchFormat.Format(Floats(24, i => i + 0.5f), new[] { 2, 12 }));
    }

    [Fact]
    public void Float3D()
    {
        // 3-D blocks separated by one blank line.
        const string expected =
            "tensor([[[-1.0000, -0.7500],\n" +
            "         [-0.5000, -0.2500],\n" +
            "         [ 0.0000,  0.2500]],\n" +
            "\n" +
            "        [[ 0.5000,  0.7500],\n" +
            "         [ 1.0000,  1.2500],\n" +
            "         [ 1.5000,  1.7500]]])";
        Assert.Equal(expected, TorchFormat.Format(new float[] { -1f, -0.75f, -0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f }, new[] { 2, 3, 2 }));
    }

    [Fact]
    public void Float4D()
    {
        // 4-D: "," + 3 newlines between the outer blocks (two blank lines).
        const string expected =
            "tensor([[[[0., 1.],\n" +
            "          [2., 3.]]],\n" +
            "\n" +
            "\n" +
            "        [[[4., 5.],\n" +
            "          [6., 7.]]]])";
        Assert.Equal(expected, TorchFormat.Format(new float[] { 0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f }, new[] { 2, 1, 2, 2 }));
    }

    [Fact]
    public void Int64_4D()
    {
        // 4-D: two blank lines between dim-0 blocks, one between dim-1 blocks.
        const string expected =
            "tensor([[[[-4, -3]],\n" +
            "\n" +
            "         [[-2, -1]]],\n" +
            "\n" +
            "\n" +
            "        [[[ 0,  1]],\n" +
            "\n" +
            "         [[ 2,  3]]]])";
        Assert.Equal(expected, TorchFormat.Format(new long[] { -4, -3, -2, -1, 0, 1, 2, 3 }, new[] { 2, 2, 1, 2 }));
    }

    [Fact]
    public void Float3DWithUnitDims()
    {
        Assert.Equal("tensor([[[0.5000, 0.2500, 0.1250]]])", TorchFormat.Format(new float[] { 0.5f, 0.25f, 0.125f }, new[] { 1, 1, 3 }));
    }

    [Fact]
    public void Int64Summarized1D()
    {
        // 2000 > 1000: first 3, " ...", last 3; width 4 from the shown values.
        Assert.Equal("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", TorchFormat.Format(Longs(2000, i => i), new[] { 2000 }));
    }

    [Fact]
    public void FloatSummarizedIgnoresHiddenValues()
    {
        // 1e10 and 1e-5 are hidden by the summary, so they do not force scientific mode (get_summarized_data); width 9, per line floor(73 / 11) = 6, " ..." counts as an entry.
        const string expected =
            "tensor([ 100.5000,  101.5000,  102.5000,  ..., 2097.5000, 2098.5000,\n" +
            "        2099.5000])";
        Assert.Equal(expected, TorchFormat.Format(HiddenExtremes(), new[] { 2000 }));
    }

    [Fact]
    public void Float64Summarized1DSciWraps()
    {
        // 1e-7 shown: scientific width 10, 6 entries a line, so the seventh wraps; suffix fits on the last line.
        const string expected =
            "tensor([1.0000e-07, 1.5000e+00, 2.0000e+00,  ..., 5.0000e+02, 5.0050e+02,\n" +
            "        5.0100e+02], dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(Doubles(1001, i => i == 0 ? 1e-7 : 1.0 + i * 0.5), new[] { 1001 }));
    }

    [Fact]
    public void Float2DSummarized()
    {
        // 1600 > 1000: rows and columns cut to 3 + 3; "..." row entry.
        const string expected =
            "tensor([[ 100.,  101.,  102.,  ...,  137.,  138.,  139.],\n" +
            "        [ 140.,  141.,  142.,  ...,  177.,  178.,  179.],\n" +
            "        [ 180.,  181.,  182.,  ...,  217.,  218.,  219.],\n" +
            "        ...,\n" +
            "        [1580., 1581., 1582.,  ..., 1617., 1618., 1619.],\n" +
            "        [1620., 1621., 1622.,  ..., 1657., 1658., 1659.],\n" +
            "        [1660., 1661., 1662.,  ..., 1697., 1698., 1699.]])";
        Assert.Equal(expected, TorchFormat.Format(Floats(1600, i => 100f + i), new[] { 40, 40 }));
    }

    [Fact]
    public void Float2DSummarizedSciQuirk()
    {
        // PyTorch quirk: arange(1600.) is scientific (max / min = 1599 > 1000); per line floor(72 / 12) = 6 so the seventh entry wraps.
        const string expected =
            "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,\n" +
            "         3.9000e+01],\n" +
            "        [4.0000e+01, 4.1000e+01, 4.2000e+01,  ..., 7.7000e+01, 7.8000e+01,\n" +
            "         7.9000e+01],\n" +
            "        [8.0000e+01, 8.1000e+01, 8.2000e+01,  ..., 1.1700e+02, 1.1800e+02,\n" +
            "         1.1900e+02],\n" +
            "        ...,\n" +
            "        [1.4800e+03, 1.4810e+03, 1.4820e+03,  ..., 1.5170e+03, 1.5180e+03,\n" +
            "         1.5190e+03],\n" +
            "        [1.5200e+03, 1.5210e+03, 1.5220e+03,  ..., 1.5570e+03, 1.5580e+03,\n" +
            "         1.5590e+03],\n" +
            "        [1.5600e+03, 1.5610e+03, 1.5620e+03,  ..., 1.5970e+03, 1.5980e+03,\n" +
            "         1.5990e+03]])";
        Assert.Equal(expected, TorchFormat.Format(Floats(1600, i => i), new[] { 40, 40 }));
    }

    [Fact]
    public void Int64Summarized3D()
    {
        // 1100 > 1000: every dimension longer than 6 cut; "..." block between blank lines.
        const string expected =
            "tensor([[[   0,    1,    2,  ...,    8,    9,   10],\n" +
            "         [  11,   12,   13,  ...,   19,   20,   21],\n" +
            "         [  22,   23,   24,  ...,   30,   31,   32],\n" +
            "         ...,\n" +
            "         [  77,   78,   79,  ...,   85,   86,   87],\n" +
            "         [  88,   89,   90,  ...,   96,   97,   98],\n" +
            "         [  99,  100,  101,  ...,  107,  108,  109]],\n" +
            "\n" +
            "        [[ 110,  111,  112,  ...,  118,  119,  120],\n" +
            "         [ 121,  122,  123,  ...,  129,  130,  131],\n" +
            "         [ 132,  133,  134,  ...,  140,  141,  142],\n" +
            "         ...,\n" +
            "         [ 187,  188,  189,  ...,  195,  196,  197],\n" +
            "         [ 198,  199,  200,  ...,  206,  207,  208],\n" +
            "         [ 209,  210,  211,  ...,  217,  218,  219]],\n" +
            "\n" +
            "        [[ 220,  221,  222,  ...,  228,  229,  230],\n" +
            "         [ 231,  232,  233,  ...,  239,  240,  241],\n" +
            "         [ 242,  243,  244,  ...,  250,  251,  252],\n" +
            "         ...,\n" +
            "         [ 297,  298,  299,  ...,  305,  306,  307],\n" +
            "         [ 308,  309,  310,  ...,  316,  317,  318],\n" +
            "         [ 319,  320,  321,  ...,  327,  328,  329]],\n" +
            "\n" +
            "        ...,\n" +
            "\n" +
            "        [[ 770,  771,  772,  ...,  778,  779,  780],\n" +
            "         [ 781,  782,  783,  ...,  789,  790,  791],\n" +
            "         [ 792,  793,  794,  ...,  800,  801,  802],\n" +
            "         ...,\n" +
            "         [ 847,  848,  849,  ...,  855,  856,  857],\n" +
            "         [ 858,  859,  860,  ...,  866,  867,  868],\n" +
            "         [ 869,  870,  871,  ...,  877,  878,  879]],\n" +
            "\n" +
            "        [[ 880,  881,  882,  ...,  888,  889,  890],\n" +
            "         [ 891,  892,  893,  ...,  899,  900,  901],\n" +
            "         [ 902,  903,  904,  ...,  910,  911,  912],\n" +
            "         ...,\n" +
            "         [ 957,  958,  959,  ...,  965,  966,  967],\n" +
            "         [ 968,  969,  970,  ...,  976,  977,  978],\n" +
            "         [ 979,  980,  981,  ...,  987,  988,  989]],\n" +
            "\n" +
            "        [[ 990,  991,  992,  ...,  998,  999, 1000],\n" +
            "         [1001, 1002, 1003,  ..., 1009, 1010, 1011],\n" +
            "         [1012, 1013, 1014,  ..., 1020, 1021, 1022],\n" +
            "         ...,\n" +
            "         [1067, 1068, 1069,  ..., 1075, 1076, 1077],\n" +
            "         [1078, 1079, 1080,  ..., 1086, 1087, 1088],\n" +
            "         [1089, 1090, 1091,  ..., 1097, 1098, 1099]]])";
        Assert.Equal(expected, TorchFormat.Format(Longs(1100, i => i), new[] { 10, 10, 11 }));
    }

    [Fact]
    public void Int64SummarizedShortRows()
    {
        // only the 600-long dimension is cut; the 2 rows are both shown.
        const string expected =
            "tensor([[   0,    1,    2,  ...,  597,  598,  599],\n" +
            "        [ 600,  601,  602,  ..., 1197, 1198, 1199]])";
        Assert.Equal(expected, TorchFormat.Format(Longs(1200, i => i), new[] { 2, 600 }));
    }

    [Fact]
    public void Int64SummarizedColumn()
    {
        // 1001 rows of one element: rows cut, "..." row.
        const string expected =
            "tensor([[   0],\n" +
            "        [   1],\n" +
            "        [   2],\n" +
            "        ...,\n" +
            "        [ 998],\n" +
            "        [ 999],\n" +
            "        [1000]])";
        Assert.Equal(expected, TorchFormat.Format(Longs(1001, i => i), new[] { 1001, 1 }));
    }

    [Fact]
    public void FloatSummarizedInnermost()
    {
        // only the innermost dimension is long enough to cut.
        const string expected =
            "tensor([[[-100.0000,  -99.7500,  -99.5000,  ...,  149.5000,  149.7500,\n" +
            "           150.0000]]])";
        Assert.Equal(expected, TorchFormat.Format(Floats(1001, i => 0.25f * i - 100f), new[] { 1, 1, 1001 }));
    }

    [Fact]
    public void Int64Summarized4D()
    {
        // 4-D summary: the "..." entry sits between two blank lines like every 4-D block separator.
        const string expected =
            "tensor([[[[   0,    1,    2,  ...,  147,  148,  149]]],\n" +
            "\n" +
            "\n" +
            "        [[[ 150,  151,  152,  ...,  297,  298,  299]]],\n" +
            "\n" +
            "\n" +
            "        [[[ 300,  301,  302,  ...,  447,  448,  449]]],\n" +
            "\n" +
            "\n" +
            "        ...,\n" +
            "\n" +
            "\n" +
            "        [[[ 600,  601,  602,  ...,  747,  748,  749]]],\n" +
            "\n" +
            "\n" +
            "        [[[ 750,  751,  752,  ...,  897,  898,  899]]],\n" +
            "\n" +
            "\n" +
            "        [[[ 900,  901,  902,  ..., 1047, 1048, 1049]]]])";
        Assert.Equal(expected, TorchFormat.Format(Longs(1050, i => i), new[] { 7, 1, 1, 150 }));
    }

    [Fact]
    public void Float1001Summarized()
    {
        // 1001 > 1000 elements: summarised.
        Assert.Equal("tensor([0., 1., 2.,  ..., 4., 5., 6.])", TorchFormat.Format(Floats(1001, i => i % 7), new[] { 1001 }));
    }

    [Fact]
    public void Int64Exactly1000NotSummarized()
    {
        // 1000 is not > 1000: printed in full, 24 a line.
        const string expected =
            "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,\n" +
            "        8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,\n" +
            "        2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,\n" +
            "        6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" +
            "        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3,\n" +
            "        4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])";
        Assert.Equal(expected, TorchFormat.Format(Longs(1000, i => i % 10), new[] { 1000 }));
    }

    [Fact]
    public void Float64SuffixSameLine()
    {
        // suffix on the same line.
        Assert.Equal("tensor([0.5000, 0.2500], dtype=torch.float64)", TorchFormat.Format(new double[] { 0.5, 0.25 }, new[] { 2 }));
    }

    [Fact]
    public void Float64SuffixNewLine()
    {
        const string expected =
            "tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000],\n" +
            "       dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(new double[] { 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5 }, new[] { 9 }));
    }

    [Fact]
    public void Float64SuffixSameLineAt6()
    {
        // last_line_len = 55 + 2; 57 + 19 + 2 = 78 <= 80: same line.
        Assert.Equal("tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000], dtype=torch.float64)", TorchFormat.Format(new double[] { 0.5, 1.5, 2.5, 3.5, 4.5, 5.5 }, new[] { 6 }));
    }

    [Fact]
    public void Float64SuffixNewLineAt7()
    {
        // last_line_len = 63 + 2; 65 + 19 + 2 = 86 > 80: new line, indent 7.
        const string expected =
            "tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000],\n" +
            "       dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(new double[] { 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5 }, new[] { 7 }));
    }

    [Fact]
    public void Float64Suffix2D()
    {
        // the last line is long: suffix on a new line.
        const string expected =
            "tensor([[ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n" +
            "          8.5000],\n" +
            "        [ 9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000, 16.5000,\n" +
            "         17.5000]], dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(Doubles(18, i => i + 0.5), new[] { 2, 9 }));
    }

    [Fact]
    public void Float64SuffixLastLine57SameLine()
    {
        // last line is 57 characters: last_line_len 59; 59 + 19 + 2 = 80 is not > 80: same line.
        const string expected =
            "tensor([[0.5000, 0.7500, 1.0000, 1.2500, 1.5000, 1.7500],\n" +
            "        [2.0000, 2.2500, 2.5000, 2.7500, 3.0000, 3.2500]], dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(Doubles(12, i => 0.5 + 0.25 * i), new[] { 2, 6 }));
    }

    [Fact]
    public void Float64SuffixLastLine58NewLine()
    {
        // last line is 58 characters: last_line_len 60; 60 + 19 + 2 = 81 > 80: new line.
        const string expected =
            "tensor([[1000., 1001., 1002., 1003., 1004., 1005., 1006.],\n" +
            "        [1007., 1008., 1009., 1010., 1011., 1012., 1013.]],\n" +
            "       dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(Doubles(14, i => 1000.0 + i), new[] { 2, 7 }));
    }

    [Fact]
    public void Float64Suffix2DShort()
    {
        // the last line is short: suffix on the same line.
        const string expected =
            "tensor([[1., 2.],\n" +
            "        [3., 4.]], dtype=torch.float64)";
        Assert.Equal(expected, TorchFormat.Format(new double[] { 1, 2, 3, 4 }, new[] { 2, 2 }));
    }

    [Fact]
    public void EmptyFloat()
    {
        // 1-D empty: no size suffix, float32 is the default dtype.
        Assert.Equal("tensor([])", TorchFormat.Format(Array.Empty<float>(), new[] { 0 }));
    }

    [Fact]
    public void EmptyDouble()
    {
        Assert.Equal("tensor([], dtype=torch.float64)", TorchFormat.Format(Array.Empty<double>(), new[] { 0 }));
    }

    [Fact]
    public void EmptyInt64()
    {
        // an empty tensor shows every dtype but the default float32.
        Assert.Equal("tensor([], dtype=torch.int64)", TorchFormat.Format(Array.Empty<long>(), new[] { 0 }));
    }

    [Fact]
    public void EmptyFloat2D()
    {
        // an empty tensor shows its size unless it is 1-D.
        Assert.Equal("tensor([], size=(0, 3))", TorchFormat.Format(Array.Empty<float>(), new[] { 0, 3 }));
    }

    [Fact]
    public void EmptyDouble3D()
    {
        Assert.Equal("tensor([], size=(2, 0, 3), dtype=torch.float64)", TorchFormat.Format(Array.Empty<double>(), new[] { 2, 0, 3 }));
    }

    [Fact]
    public void EmptyInt64_2D()
    {
        Assert.Equal("tensor([], size=(3, 0), dtype=torch.int64)", TorchFormat.Format(Array.Empty<long>(), new[] { 3, 0 }));
    }

    // ---------------------------------------------------------------- culture

    [Fact]
    public void IgnoresGermanCurrentCulture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture, savedUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            AssertCultureIndependent();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    [Fact]
    public void IgnoresHostileCurrentCulture()
    {
        // A culture that breaks every implicit formatting: decimal comma, U+2212 minus, odd NaN/infinity
        // symbols. Built from the invariant culture so it works even without ICU.
        var hostile = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        hostile.NumberFormat.NumberDecimalSeparator = ",";
        hostile.NumberFormat.NumberGroupSeparator = ".";
        hostile.NumberFormat.NegativeSign = "\u2212";
        hostile.NumberFormat.PositiveSign = "\u207A";
        hostile.NumberFormat.NaNSymbol = "NaN!";
        hostile.NumberFormat.PositiveInfinitySymbol = "\u221E";
        hostile.NumberFormat.NegativeInfinitySymbol = "-\u221E";
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = hostile;
            AssertCultureIndependent();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    private static void AssertCultureIndependent()
    {
        // Same expectations as FloatFixed, NanInfSci, Float64SciThreeDigitExponent, Int64Negatives,
        // Double0Dim and EmptyFloat2D.
        Assert.Equal("tensor([ 0.5000, -1.2500, 10.0625,  3.0000])",
            TorchFormat.Format(new float[] { 0.5f, -1.25f, 10.0625f, 3f }, new[] { 4 }));
        Assert.Equal("tensor([       nan, 1.0000e-05,        inf])",
            TorchFormat.Format(new float[] { float.NaN, 1e-05f, float.PositiveInfinity }, new[] { 3 }));
        Assert.Equal("tensor([ 1.0000e+100, -2.5000e-200,   1.0000e+00], dtype=torch.float64)",
            TorchFormat.Format(new double[] { 1e+100, -2.5e-200, 1 }, new[] { 3 }));
        Assert.Equal("tensor([  -5,   12, -300,    0,    7])",
            TorchFormat.Format(new long[] { -5, 12, -300, 0, 7 }, new[] { 5 }));
        Assert.Equal("tensor([-inf, 1., -0.])",
            TorchFormat.Format(new float[] { float.NegativeInfinity, 1f, -0.0f }, new[] { 3 }));
        Assert.Equal("tensor(2.5000, dtype=torch.float64)", TorchFormat.Format(new double[] { 2.5 }, Array.Empty<int>()));
        Assert.Equal("tensor([], size=(0, 3))", TorchFormat.Format(Array.Empty<float>(), new[] { 0, 3 }));
    }

    // ---------------------------------------------------------------- shape errors

    public static IEnumerable<object[]> BadShapes() => new[]
    {
        new object[] { new[] { 2, 3 }, 5, "[2, 3]" },
        new object[] { new[] { 2, 3 }, 7, "[2, 3]" },
        new object[] { new[] { -1 }, 0, "[-1]" },
        new object[] { new[] { -2, -3 }, 6, "[-2, -3]" },
        new object[] { new[] { 3, -1, 0 }, 0, "[3, -1, 0]" },
        new object[] { Array.Empty<int>(), 2, "[]" },
        new object[] { Array.Empty<int>(), 0, "[]" },
        new object[] { new[] { 0 }, 1, "[0]" },
        new object[] { new[] { 65536, 65536, 2 }, 0, "[65536, 65536, 2]" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void ShapeMismatchThrows(int[] shape, int valueCount, string shapeText)
    {
        AssertBadShape(() => TorchFormat.Format(new float[valueCount], shape), shapeText, valueCount);
        AssertBadShape(() => TorchFormat.Format(new double[valueCount], shape), shapeText, valueCount);
        AssertBadShape(() => TorchFormat.Format(new long[valueCount], shape), shapeText, valueCount);
    }

    private static void AssertBadShape(Func<string> format, string shapeText, int valueCount)
    {
        var e = Assert.Throws<ArgumentException>(format);
        Assert.Equal("shape", e.ParamName);
        Assert.Contains(shapeText, e.Message, StringComparison.Ordinal);
        Assert.Contains(valueCount.ToString(CultureInfo.InvariantCulture) + " value", e.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- helpers

    private static float[] Floats(int n, Func<int, float> f) => Enumerable.Range(0, n).Select(f).ToArray();

    private static double[] Doubles(int n, Func<int, double> f) => Enumerable.Range(0, n).Select(f).ToArray();

    private static long[] Longs(int n, Func<int, long> f) => Enumerable.Range(0, n).Select(f).ToArray();

    /// <summary>100.5 .. 2099.5 with 1e10 and 1e-5 in the middle, where the summary hides them.</summary>
    private static float[] HiddenExtremes()
    {
        float[] values = Floats(2000, i => 100.5f + i);
        values[1000] = 1e10f;
        values[1001] = 1e-5f;
        return values;
    }
}
