using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace FixedShapeLoss.Tests;

/// <summary>Reads the PyTorch reference vectors copied into <c>Data/</c> (never anything outside the repository).</summary>
internal static class TestData
{
    /// <summary>The repository's root: the folder above the test binaries that holds FixedShapeLoss.sln.
    /// (Not [CallerFilePath]: a CI build maps source paths to <c>/_/</c>.)</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FixedShapeLoss.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("FixedShapeLoss.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "Data", fileName);

    public static string ReadText(string fileName) => File.ReadAllText(PathOf(fileName));

    public static JsonDocument Load(string fileName) => JsonDocument.Parse(File.ReadAllText(PathOf(fileName)));

    /// <summary>Float32 values from a tensor's <c>bits</c> array (hex IEEE-754 patterns), exact.</summary>
    public static float[] FloatBits(JsonElement tensor) =>
        tensor.GetProperty("bits").EnumerateArray()
            .Select(b => BitConverter.UInt32BitsToSingle(Convert.ToUInt32(b.GetString(), 16)))
            .ToArray();

    /// <summary>Float64 values from a tensor's <c>bits</c> array (hex IEEE-754 patterns), exact.</summary>
    public static double[] DoubleBits(JsonElement tensor) =>
        tensor.GetProperty("bits").EnumerateArray()
            .Select(b => BitConverter.UInt64BitsToDouble(Convert.ToUInt64(b.GetString(), 16)))
            .ToArray();

    public static long[] Longs(JsonElement tensor) =>
        tensor.GetProperty("values").EnumerateArray().Select(v => v.GetInt64()).ToArray();

    public static double[] Doubles(JsonElement tensor) =>
        tensor.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static int[] Shape(JsonElement tensor) =>
        tensor.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
}
