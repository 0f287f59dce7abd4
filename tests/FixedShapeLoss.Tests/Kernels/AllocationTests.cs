using System;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>Zero bytes allocated per kernel call, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// over many calls after a warm-up (so tiering and static initialisation are done).</summary>
public class AllocationTests
{
    [Fact] public void Unrolled4x7() => AssertNoAllocation<Loss4x7>(4, 7);
    [Fact] public void Smoothed5x3() => AssertNoAllocation<Loss5x3Smooth>(5, 3);
    [Fact] public void Looped32x10() => AssertNoAllocation<Ref32x10>(32, 10);
    [Fact] public void Looped40x300() => AssertNoAllocation<Ref40x300>(40, 300);

    private static void AssertNoAllocation<K>(int batch, int classes)
        where K : ILossKernel
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
        K.Normalize(probabilities);

        void CallEverything()
        {
            K.Softmax(logits, output);
            K.LogSoftmax(logits, output);
            K.OneHot(targets, output);
            K.Labels(output, labels);
            K.CrossEntropy(probabilities, targets);
            K.CrossEntropy(probabilities, output);
            K.CrossEntropyLoss(logits, targets);
            K.CrossEntropyLoss(logits, targets, weight);
            K.CrossEntropyLoss(logits, probabilities);
            K.CrossEntropyLossPerSample(logits, targets, losses);
            K.CrossEntropyLossPerSample(logits, targets, weight, losses);
            K.CrossEntropyLossBackward(logits, targets, output);
            K.CrossEntropyLossBackward(logits, targets, weight, output);
            K.CrossEntropyLossBackward(logits, probabilities, output);
            output.AsSpan().CopyTo(output); // keep the destination in use
            K.Normalize(output);
        }

        for (int i = 0; i < 200; i++)
        {
            CallEverything();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            CallEverything();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
