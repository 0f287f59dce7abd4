using System;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>Zero bytes allocated per kernel call, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// over many calls after a warm-up (so tiering and static initialisation are done; see <see cref="SteadyState"/>), in both kernel sets (C# 11+ and
/// C# 10, through the delegates of <see cref="KernelAdapter"/>, whose calls allocate nothing themselves).</summary>
public class AllocationTests
{
    [Theory, InlineData(false), InlineData(true)] public void Unrolled4x7(bool csharp10) => AssertNoAllocation(KernelAdapter.Get("Loss4x7", csharp10), 4, 7);
    [Theory, InlineData(false), InlineData(true)] public void Smoothed5x3(bool csharp10) => AssertNoAllocation(KernelAdapter.Get("Loss5x3Smooth", csharp10), 5, 3);
    [Theory, InlineData(false), InlineData(true)] public void Looped32x10(bool csharp10) => AssertNoAllocation(KernelAdapter.Get("Ref32x10", csharp10), 32, 10);
    [Theory, InlineData(false), InlineData(true)] public void Looped40x300(bool csharp10) => AssertNoAllocation(KernelAdapter.Get("Ref40x300", csharp10), 40, 300);

    private static void AssertNoAllocation(KernelAdapter kernel, int batch, int classes)
    {
        int n = batch * classes;
        var random = new Random(1);
        var logits = new float[n];
        var probabilities = new float[n];
        var output = new float[n];
        var weight = new float[classes];
        var targets = new int[batch];
        var labels = new int[batch];
        var losses = new float[batch];
        for (int k = 0; k < n; k++)
        {
            logits[k] = (float)random.NextDouble() * 4 - 2;
            probabilities[k] = (float)random.NextDouble() + 0.01f;
        }

        for (int i = 0; i < batch; i++)
        {
            targets[i] = random.Next(classes);
        }

        Array.Fill(weight, 0.5f);
        kernel.Normalize(probabilities);

        void CallEverything()
        {
            kernel.Softmax(logits, output);
            kernel.LogSoftmax(logits, output);
            kernel.OneHot(targets, output);
            kernel.Labels(output, labels);
            kernel.CrossEntropy(probabilities, targets);
            kernel.CrossEntropy(probabilities, output);
            kernel.CrossEntropyLoss(logits, targets);
            kernel.CrossEntropyLoss(logits, targets, weight);
            kernel.CrossEntropyLoss(logits, probabilities);
            kernel.CrossEntropyLossPerSample(logits, targets, losses);
            kernel.CrossEntropyLossPerSample(logits, targets, weight, losses);
            kernel.CrossEntropyLossBackward(logits, targets, output);
            kernel.CrossEntropyLossBackward(logits, targets, weight, output);
            kernel.CrossEntropyLossBackward(logits, probabilities, output);
            output.AsSpan().CopyTo(output); // keep the destination in use
            kernel.Normalize(output);
        }

        SteadyState.AssertNoAllocation(CallEverything, rounds: 1000, warmUpRounds: 200);
    }
}
