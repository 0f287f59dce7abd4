using System;
using System.IO;
using FixedShapeLoss.Samples.Classifier;
using FixedShapeLoss.Samples.MultiLabel;
using Xunit;

namespace FixedShapeLoss.Tests.Samples;

/// <summary>Both training samples write their picture: a PNG of the expected size (read from its IHDR chunk), whose
/// path they print; and the README shows each sample's output, picture line included, and the committed pictures.</summary>
public sealed class TrainingPictureTests
{
    private const int Width = 1200, Height = 520;

    [Fact]
    public void SoftmaxClassifier_WritesItsPicture() =>
        AssertPicture((writer, path) => SoftmaxClassifierSample.Run(writer, path), "softmax", SoftmaxClassifierSample.PictureFileName);

    [Fact]
    public void MultiLabelClassifier_WritesItsPicture() =>
        AssertPicture((writer, path) => MultiLabelClassifierSample.Run(writer, path), "multilabel", MultiLabelClassifierSample.PictureFileName);

    [Theory]
    [InlineData("docs/softmax-classifier.png")]
    [InlineData("docs/multilabel-classifier.png")]
    public void CommittedPictures_ArePngsOfTheSizeTheSamplesWrite(string relativePath)
    {
        var (width, height) = PngSize(File.ReadAllBytes(Path.Combine(TestData.RepositoryRoot, relativePath)));
        Assert.Equal((Width, Height), (width, height));
        Assert.Contains($"]({relativePath})", ReadReadme(), StringComparison.Ordinal);
    }

    private static void AssertPicture(Action<StringWriter, string> run, string name, string fileName)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"fsl-picture-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, fileName);
        try
        {
            var writer = new StringWriter { NewLine = "\n" };
            run(writer, path);
            Assert.Equal((Width, Height), PngSize(File.ReadAllBytes(path)));
            Assert.EndsWith($"\npicture: {path}\n", writer.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    internal static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        Assert.True(png.Length > 24, "too short for a PNG");
        Assert.Equal(signature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (ReadBigEndian(png, 16), ReadBigEndian(png, 20));
    }

    private static int ReadBigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    private static string ReadReadme() =>
        File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The README section under <paramref name="heading"/> holds a code block with the sample's output and
    /// then the line the program prints for its picture (written into the working directory).</summary>
    internal static void AssertReadmeShows(string heading, string output, string pictureFileName)
    {
        string readme = ReadReadme();
        int start = readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '{heading}' section");
        int next = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        string section = next < 0 ? readme.Substring(start) : readme.Substring(start, next - start);
        Assert.Contains("```\n" + output.Replace("\r\n", "\n", StringComparison.Ordinal) + $"picture: {pictureFileName}\n```\n", section, StringComparison.Ordinal);
    }
}
