using System;
using System.IO;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// Snapshot assertions with Verify's conventions: the expected text lives in
/// <c>tests/FixedShapeLoss.Tests/Generator/Snapshots/{name}.verified.cs</c> in the repository and is committed; on a mismatch the actual
/// text is written to <c>{name}.received.cs</c> (git-ignored) and the test fails. Set the environment
/// variable <c>VERIFY_ACCEPT=1</c> to accept: the received text then replaces the verified file.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "VERIFY_ACCEPT";

    public static void Verify(string actual, string name)
    {
        string folder = Path.Combine(TestData.RepositoryRoot, "tests", "FixedShapeLoss.Tests", "Generator", "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true";

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }

            return;
        }

        if (accept)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            if (File.Exists(received))
            {
                File.Delete(received);
            }

            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}. The output was written to {received}; review it and rename it, or run with {AcceptVariable}=1."
            : $"The output differs from {verified}. It was written to {received}; diff the two and accept with {AcceptVariable}=1 if the change is intended.");
    }
}
