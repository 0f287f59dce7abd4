using System;
using System.IO;
using FixedShapeLoss;

namespace CrossEntropyWalkthrough;

/// <summary>
/// The PyTorch tutorial "Cross Entropy 실습" (Yelim Kim, 2023), cell by cell, in C#: every tensor comes from
/// <see cref="TorchGenerator"/> (PyTorch's CPU random stream, bit for bit) and from the generated kernels of
/// <see cref="Loss4x7"/>, and is printed through <see cref="TorchFormat"/> exactly as PyTorch prints it.
/// </summary>
/// <remarks>
/// Each step is preceded by a comment quoting the Python it reproduces (taken from the tutorial, as run in
/// one process, top to bottom). Where the tutorial calls <c>print(x, '\n')</c> the output has the same
/// trailing space and blank line. Lines always end in <c>"\n"</c> and no number is formatted through the
/// current culture, so the output is the same everywhere.
/// </remarks>
public static class Walkthrough
{
    // BATCH_SIZE = 4
    // N_CLASSES = 7
    private const int BatchSize = Loss4x7.Batch;
    private const int NClasses = Loss4x7.Classes;

    /// <summary>Runs the whole walkthrough, writing headings, explanations and tensors to <paramref name="output"/>.</summary>
    /// <param name="output">Where to print, e.g. <see cref="Console.Out"/>.</param>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // Python's print(*parts): the parts joined by one space, then a newline.
        void Print(params string[] parts) => output.Write(string.Join(" ", parts) + "\n");

        void Section(string heading, string explanation)
        {
            output.Write("\n== " + heading + " ==\n");
            output.Write(explanation + "\n\n");
        }

        void Note(string text) => output.Write("-- " + text + "\n");

        output.Write("Cross-entropy walkthrough: the PyTorch tutorial \"Cross Entropy in practice\" as a C# program.\n");
        output.Write("Tensors come from TorchGenerator (torch.manual_seed + rand/randn/randint) and the Loss4x7 kernels.\n");

        // ------------------------------------------------------------------------------------------------
        // Importing the library
        //   import torch
        //   import torch.nn as nn
        // In C#: `using FixedShapeLoss;` and one [LossKernel(Batch = 4, Classes = 7)] class (Loss4x7.cs).
        // ------------------------------------------------------------------------------------------------

        // ------------------------------------------------------------------------------------------------
        // Basics
        // ------------------------------------------------------------------------------------------------
        Section("Basics: seeded random draws",
            "randn draws from the standard normal distribution; manual_seed makes every run draw the same numbers.");

        // torch.manual_seed(0)
        var generator = new TorchGenerator(0);
        // preds = torch.randn(5)
        var preds5 = new float[5];
        generator.Randn(preds5);
        // print(preds)
        Note("manual_seed(0), randn(5): the same five numbers for everyone");
        Print(TorchFormat.Format(preds5, [5]));

        // torch.manual_seed(2023)   (the tutorial's code says 0 here, its text and output use 2023)
        generator.ManualSeed(2023);
        // preds = torch.randn(5)
        generator.Randn(preds5);
        // print(preds)
        Note("manual_seed(2023), randn(5): another seed, other numbers");
        Print(TorchFormat.Format(preds5, [5]));

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.randn(2, 3)
        var preds2x3 = new float[2 * 3];
        generator.Randn(preds2x3);
        // print(preds)
        Note("manual_seed(2023), randn(2, 3): a 2-D tensor; its first row is the same stream as above");
        Print(TorchFormat.Format(preds2x3, [2, 3]));

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.rand(2, 3)
        generator.Rand(preds2x3);
        // print(preds)
        Note("manual_seed(2023), rand(2, 3): uniform in [0, 1), so the values can stand for probabilities");
        Print(TorchFormat.Format(preds2x3, [2, 3]));

        // ------------------------------------------------------------------------------------------------
        // Creating predictions
        // ------------------------------------------------------------------------------------------------
        Section("Creating predictions",
            "A batch of 4 predictions over 7 classes; dividing each row by its sum makes every row a probability distribution.");

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // BATCH_SIZE = 4
        // N_CLASSES = 7
        // preds = torch.rand(BATCH_SIZE, N_CLASSES)
        var preds = new float[Loss4x7.Length];
        generator.Rand(preds);
        // print(preds)
        Note("manual_seed(2023), rand(BATCH_SIZE, N_CLASSES)");
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.rand(BATCH_SIZE, N_CLASSES)
        generator.Rand(preds);
        // print(preds)
        Note("the same draws again, then preds / preds.sum(axis=1).reshape(BATCH_SIZE, -1) and the row sums");
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // preds = preds / preds.sum(axis=1).reshape(BATCH_SIZE, -1)
        //   (a (4, 7) tensor cannot be divided by a (4,) one; reshaped to (4, 1) the sums broadcast along each row)
        Loss4x7.Normalize(preds);
        // print(preds)
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // print(preds.sum(axis=1))
        Print(TorchFormat.Format(RowSums(preds), [BatchSize]));

        // ------------------------------------------------------------------------------------------------
        // Creating the labels (one-hot vectors)
        // ------------------------------------------------------------------------------------------------
        Section("Creating the labels (one-hot vectors)",
            "Room for the answers (zeros), one random class per sample, then a 1 in each row at that class.");

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // labels = torch.zeros(size=(BATCH_SIZE, N_CLASSES))
        var oneHot = new float[Loss4x7.Length];
        // print("init")
        Print("init");
        // print(labels, '\n')
        Print(TorchFormat.Format(oneHot, [BatchSize, NClasses]), "\n");

        // labels_ = torch.randint(low=0, high=N_CLASSES, size=(BATCH_SIZE, ))
        var drawn = new long[BatchSize];
        generator.RandInt(0, NClasses, drawn);
        // print("labels")
        Print("labels");
        // print(labels_, '\n')
        Print(TorchFormat.Format(drawn, [BatchSize]), "\n");

        // labels[torch.arange(BATCH_SIZE), labels_] = 1
        Loss4x7.OneHot(ToInt32(drawn), oneHot);
        // print("one-hot encoding")
        Print("one-hot encoding");
        // print(labels)
        Print(TorchFormat.Format(oneHot, [BatchSize, NClasses]));
        Note("sample 0 has label 6, so row 0 has its 1 in column 6 (counting from 0)");

        // ------------------------------------------------------------------------------------------------
        // Cross Entropy (1): labels as class indices
        // ------------------------------------------------------------------------------------------------
        Section("Cross Entropy (1): class indices, no one-hot",
            "Pick each row's probability of its true class, take the log, average, negate: -mean(log p[i, y_i]).");

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.rand(BATCH_SIZE, N_CLASSES)  # assume these are the model's class probabilities
        generator.Rand(preds);
        // preds = preds / preds.sum(axis=1).reshape(-1, 1)  # (4, 7) ~ (4, 1): broadcasting
        Loss4x7.Normalize(preds);
        // labels = torch.randint(low=0, high=N_CLASSES, size=(BATCH_SIZE, ))
        var labels = new long[BatchSize];
        generator.RandInt(0, NClasses, labels);
        // print(preds)
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // print(labels)
        Print(TorchFormat.Format(labels, [BatchSize]));
        // preds = preds[torch.arange(BATCH_SIZE), labels]
        // ce_loss = -torch.mean(torch.log(preds))
        float ceLoss = Loss4x7.CrossEntropy(preds, ToInt32(labels));
        // print(ce_loss)
        Print(Scalar(ceLoss));

        // ------------------------------------------------------------------------------------------------
        // Cross Entropy (2): one-hot labels, multiply and sum
        // ------------------------------------------------------------------------------------------------
        Section("Cross Entropy (2): one-hot + sum",
            "Multiplying by the one-hot rows zeroes every wrong class; each row's sum is the true class's probability.");

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.rand(BATCH_SIZE, N_CLASSES)
        generator.Rand(preds);
        // preds = preds / preds.sum(axis=1).reshape(-1, 1)
        Loss4x7.Normalize(preds);
        // labels = torch.zeros(size=(BATCH_SIZE, N_CLASSES))
        // labels[torch.arange(BATCH_SIZE), torch.randint(low=0, high=N_CLASSES, size=(BATCH_SIZE, ))] = 1
        generator.RandInt(0, NClasses, drawn);
        Loss4x7.OneHot(ToInt32(drawn), oneHot);
        // print(preds)
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // print(labels, '\n')
        Print(TorchFormat.Format(oneHot, [BatchSize, NClasses]), "\n");
        // cross_entropy = -torch.mean(torch.log((preds * labels).sum(axis=1)))
        float crossEntropy = Loss4x7.CrossEntropy(preds, oneHot);
        // print(preds * labels)
        float[] products = Multiply(preds, oneHot);
        Print(TorchFormat.Format(products, [BatchSize, NClasses]));
        // print((preds * labels).sum(axis=1))
        Print(TorchFormat.Format(RowSums(products), [BatchSize]));
        // print(cross_entropy, '\n')
        Print(Scalar(crossEntropy), "\n");

        // ------------------------------------------------------------------------------------------------
        // Cross Entropy (3): one-hot labels, locate the ones
        // ------------------------------------------------------------------------------------------------
        Section("Cross Entropy (3): one-hot + indexing",
            "Find where the one-hot matrix holds its 1s and read the probabilities at those positions.");

        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // preds = torch.rand(BATCH_SIZE, N_CLASSES)
        generator.Rand(preds);
        // preds = preds / preds.sum(axis=1).reshape(-1, 1)
        Loss4x7.Normalize(preds);
        // labels = torch.zeros(size=(BATCH_SIZE, N_CLASSES))
        // labels[torch.arange(BATCH_SIZE), torch.randint(low=0, high=N_CLASSES, size=(BATCH_SIZE, ))] = 1
        generator.RandInt(0, NClasses, drawn);
        Loss4x7.OneHot(ToInt32(drawn), oneHot);
        // print(preds)
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // print(labels, '\n')
        Print(TorchFormat.Format(oneHot, [BatchSize, NClasses]), "\n");
        // row_indices, col_indices = torch.where(labels == 1)
        //   (one 1 per row, so the row indices are 0, 1, 2, 3 and Labels returns the column of each row's 1)
        var columns = new int[BatchSize];
        Loss4x7.Labels(oneHot, columns);
        // cross_entropy = -torch.mean(torch.log(preds[row_indices, col_indices]))
        crossEntropy = Loss4x7.CrossEntropy(preds, columns);
        // print(cross_entropy)
        Print(Scalar(crossEntropy));

        // ------------------------------------------------------------------------------------------------
        // Using the CrossEntropyLoss module
        // ------------------------------------------------------------------------------------------------
        Section("Using the CrossEntropyLoss module",
            "nn.CrossEntropyLoss() gives the batch's mean loss in one call (no reseed: the stream goes on from the cell above).");

        // preds = torch.rand(BATCH_SIZE, N_CLASSES)  # assume these are the model's class probabilities
        generator.Rand(preds);
        // preds = preds / preds.sum(axis=1).reshape(-1, 1)
        Loss4x7.Normalize(preds);
        // print(preds)
        Print(TorchFormat.Format(preds, [BatchSize, NClasses]));
        // labels = torch.randint(low=0, high=N_CLASSES, size=(BATCH_SIZE, ))
        //   (the tutorial first sets labels = torch.zeros(...) and overwrites it at once; zeros draws nothing)
        generator.RandInt(0, NClasses, labels);
        // print(labels)
        Print(TorchFormat.Format(labels, [BatchSize]));
        // loss_fn = nn.CrossEntropyLoss()
        // loss = loss_fn(preds, labels)
        float loss = Loss4x7.CrossEntropyLoss(preds, ToInt32(labels));
        // print(loss)
        Print(Scalar(loss));

        // ------------------------------------------------------------------------------------------------
        // Beyond the tutorial: what the module expects
        // ------------------------------------------------------------------------------------------------
        Section("The module expects logits",
            "nn.CrossEntropyLoss applies log-softmax to its input itself, so it wants raw scores (logits), not probabilities.");

        Note("fed probabilities, it softmaxes them again and scores the labels against these nearly uniform rows,");
        Note("which is why the loss above sits near log(N_CLASSES) = log(7) = 1.9459 whatever the labels");
        // print(torch.softmax(preds, dim=1))
        var squashed = new float[Loss4x7.Length];
        Loss4x7.Softmax(preds, squashed);
        Print(TorchFormat.Format(squashed, [BatchSize, NClasses]));

        Note("holding probabilities, pass their log: each row sums to 1, so log-softmax(log p) = log p");
        // logits = torch.log(preds)
        float[] logits = Log(preds);
        // print(logits)
        Print(TorchFormat.Format(logits, [BatchSize, NClasses]));
        Note("loss_fn(logits, labels), then -mean(log p[i, y_i]) as in Cross Entropy (1): the same value");
        // print(loss_fn(logits, labels))
        Print(Scalar(Loss4x7.CrossEntropyLoss(logits, ToInt32(labels))));
        // print(-torch.mean(torch.log(preds[torch.arange(BATCH_SIZE), labels])))
        Print(Scalar(Loss4x7.CrossEntropy(preds, ToInt32(labels))));

        Note("a model's actual output is raw logits, e.g. manual_seed(2023), randn(BATCH_SIZE, N_CLASSES)");
        // torch.manual_seed(2023)
        generator.ManualSeed(2023);
        // logits = torch.randn(BATCH_SIZE, N_CLASSES)
        generator.Randn(logits);
        // print(logits)
        Print(TorchFormat.Format(logits, [BatchSize, NClasses]));
        Note("loss_fn(logits, labels), then -mean(log softmax(logits)[i, y_i]): the same value");
        // print(loss_fn(logits, labels))
        Print(Scalar(Loss4x7.CrossEntropyLoss(logits, ToInt32(labels))));
        // probs = torch.softmax(logits, dim=1)
        Loss4x7.Softmax(logits, squashed);
        // print(-torch.mean(torch.log(probs[torch.arange(BATCH_SIZE), labels])))
        Print(Scalar(Loss4x7.CrossEntropy(squashed, ToInt32(labels))));
    }

    /// <summary>A 0-dim tensor, as PyTorch prints a reduced loss: <c>tensor(2.4610)</c>.</summary>
    private static string Scalar(float value) => TorchFormat.Format([value], []);

    /// <summary>
    /// <c>torch.randint</c> gives int64 class indices; the kernels take <c>int</c> labels. Not a kernel: a plain
    /// checked conversion.
    /// </summary>
    private static int[] ToInt32(ReadOnlySpan<long> values)
    {
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = checked((int)values[i]);
        }
        return result;
    }

    /// <summary><c>x.sum(axis=1)</c> of a 4 x 7 matrix. Not a kernel: a plain loop, left to right along each row.</summary>
    private static float[] RowSums(ReadOnlySpan<float> matrix)
    {
        var sums = new float[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            float sum = 0f;
            for (int j = 0; j < NClasses; j++)
            {
                sum += matrix[i * NClasses + j];
            }
            sums[i] = sum;
        }
        return sums;
    }

    /// <summary><c>a * b</c>, elementwise. Not a kernel: a plain loop.</summary>
    private static float[] Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var product = new float[a.Length];
        for (int k = 0; k < a.Length; k++)
        {
            product[k] = a[k] * b[k];
        }
        return product;
    }

    /// <summary><c>torch.log(x)</c>, elementwise. Not a kernel: a plain loop.</summary>
    private static float[] Log(ReadOnlySpan<float> values)
    {
        var log = new float[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            log[k] = MathF.Log(values[k]);
        }
        return log;
    }
}
