using System;

namespace FixedShapeLoss.Samples.Classifier;

/// <summary>
/// A linear softmax classifier on 2-D points (<c>logits = x · W + b</c>, W is 2 × 4) trained with plain
/// mini-batch SGD on a seeded synthetic data set: four Gaussian clusters centred at (±2, ±2).
/// </summary>
/// <remarks>
/// <para>Everything is allocated once, in the constructor: the data set, the parameters, the batch buffers
/// and the permutation. <see cref="Step"/>, <see cref="Shuffle"/>, <see cref="TrainEpoch"/> and
/// <see cref="TrainingAccuracy"/> allocate nothing.</para>
/// <para>Every random number comes from one <see cref="TorchGenerator"/>, in this order, so the run is the
/// same on every machine (in PyTorch terms, after <c>torch.manual_seed(seed)</c>):
/// <c>noise = torch.randn(1024, 2)</c>; <c>W = torch.rand(2, 4)</c> and <c>b = torch.rand(4)</c>, each mapped
/// to [-1/√2, 1/√2) like <c>nn.Linear</c>'s default initialization; then one Fisher–Yates shuffle per epoch
/// whose swap indices are <c>torch.randint(i, 1024, (1,))</c>. Point <c>n</c> has label <c>n % 4</c> and
/// coordinates <c>center[label] + ClusterStd · noise[n]</c>.</para>
/// </remarks>
public sealed class SoftmaxClassifierTrainer
{
    /// <summary>Input dimensions per point.</summary>
    public const int Features = 2;

    /// <summary>Classes (clusters); the kernel's column count.</summary>
    public const int Classes = ClassifierLoss.Classes;

    /// <summary>Points per mini-batch; the kernel's row count.</summary>
    public const int BatchSize = ClassifierLoss.Batch;

    /// <summary>Points drawn around each cluster centre.</summary>
    public const int PointsPerClass = 256;

    /// <summary>Points in the training set.</summary>
    public const int Count = PointsPerClass * Classes;

    /// <summary>Mini-batches per epoch (the training set divides evenly).</summary>
    public const int BatchesPerEpoch = Count / BatchSize;

    /// <summary>Standard deviation of every cluster along each axis. The clusters overlap a little: each
    /// centre is 2.5 std from both class boundaries (the axes), so even the best classifier gets about
    /// Φ(2.5)² ≈ 98.8% right, and training has a real curve rather than being solved at epoch 1.</summary>
    public const float ClusterStd = 0.8f;

    /// <summary>Distance of every cluster centre from each axis: the centres are (±2, ±2).</summary>
    public const float ClusterOffset = 2f;

    private readonly TorchGenerator _generator;
    private readonly float _learningRate;

    private readonly float[] _inputs = new float[Count * Features];   // row-major Count × Features
    private readonly int[] _labels = new int[Count];
    private readonly int[] _order = new int[Count];                   // this epoch's permutation
    private readonly long[] _draw = new long[1];                      // one randint per swap

    private readonly float[] _weights = new float[Features * Classes];  // row-major Features × Classes
    private readonly float[] _bias = new float[Classes];

    private readonly float[] _batchInputs = new float[BatchSize * Features];
    private readonly int[] _batchTargets = new int[BatchSize];
    private readonly float[] _logits = new float[ClassifierLoss.Length];
    private readonly float[] _logitGradient = new float[ClassifierLoss.Length];
    private readonly float[] _weightGradient = new float[Features * Classes];
    private readonly float[] _biasGradient = new float[Classes];

    /// <summary>Draws the data set and the initial parameters from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed, as <c>torch.manual_seed(seed)</c>.</param>
    /// <param name="learningRate">The SGD step size.</param>
    public SoftmaxClassifierTrainer(ulong seed, float learningRate)
    {
        if (!(learningRate > 0f) || float.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        }
        _generator = new TorchGenerator(seed);
        _learningRate = learningRate;

        // Data: standard normal noise scaled and shifted onto the label's centre.
        _generator.Randn(_inputs);
        for (int n = 0; n < Count; n++)
        {
            int label = n % Classes;
            _labels[n] = label;
            _inputs[n * Features] = CenterX(label) + ClusterStd * _inputs[n * Features];
            _inputs[n * Features + 1] = CenterY(label) + ClusterStd * _inputs[n * Features + 1];
        }

        // Parameters: uniform in [-k, k) with k = 1 / sqrt(fan_in), like nn.Linear.
        float k = 1f / MathF.Sqrt(Features);
        _generator.Rand(_weights);
        _generator.Rand(_bias);
        for (int i = 0; i < _weights.Length; i++)
        {
            _weights[i] = (2f * _weights[i] - 1f) * k;
        }
        for (int i = 0; i < _bias.Length; i++)
        {
            _bias[i] = (2f * _bias[i] - 1f) * k;
        }

        for (int n = 0; n < Count; n++)
        {
            _order[n] = n;
        }
    }

    /// <summary>x of the centre of class <paramref name="label"/>: classes 0 and 3 on the right.</summary>
    /// <param name="label">A class in [0, 4).</param>
    /// <returns>+ClusterOffset or -ClusterOffset.</returns>
    public static float CenterX(int label) => label is 0 or 3 ? ClusterOffset : -ClusterOffset;

    /// <summary>y of the centre of class <paramref name="label"/>: classes 0 and 1 on top (the quadrants in order).</summary>
    /// <param name="label">A class in [0, 4).</param>
    /// <returns>+ClusterOffset or -ClusterOffset.</returns>
    public static float CenterY(int label) => label is 0 or 1 ? ClusterOffset : -ClusterOffset;

    /// <summary>The SGD step size.</summary>
    public float LearningRate => _learningRate;

    /// <summary>The training points, row-major <c>Count × Features</c>.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>The label of every training point.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The current epoch's order: mini-batch <c>k</c> is the points <c>Order[32k .. 32k + 32)</c>.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>The weights W, row-major <c>Features × Classes</c> (<c>W[f, c]</c> at <c>f * Classes + c</c>).</summary>
    public Span<float> Weights => _weights;

    /// <summary>The bias b, one per class.</summary>
    public Span<float> Bias => _bias;

    /// <summary>Starts an epoch: the order becomes a fresh permutation of the training set (identity, then
    /// Fisher–Yates with swap index <c>j = randint(i, Count)</c> for <c>i = 0 .. Count - 2</c>, the loop of
    /// PyTorch's CPU <c>randperm</c> for small n).</summary>
    public void Shuffle()
    {
        for (int n = 0; n < Count; n++)
        {
            _order[n] = n;
        }
        for (int i = 0; i < Count - 1; i++)
        {
            _generator.RandInt(i, Count, _draw);
            int j = (int)_draw[0];
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>Forward and backward pass for one mini-batch, without changing the parameters: the gradient of
    /// the batch's mean cross-entropy with respect to W and b.</summary>
    /// <param name="batchIndex">The mini-batch, in [0, BatchesPerEpoch), of the current order.</param>
    /// <param name="weightGradient">Receives d loss / d W, row-major <c>Features × Classes</c>.</param>
    /// <param name="biasGradient">Receives d loss / d b, one per class.</param>
    /// <returns>The batch loss.</returns>
    public float Gradient(int batchIndex, Span<float> weightGradient, Span<float> biasGradient)
    {
        if (weightGradient.Length != Features * Classes)
        {
            throw new ArgumentException($"Expected {Features * Classes} elements, got {weightGradient.Length}.", nameof(weightGradient));
        }
        if (biasGradient.Length != Classes)
        {
            throw new ArgumentException($"Expected {Classes} elements, got {biasGradient.Length}.", nameof(biasGradient));
        }
        LoadBatch(batchIndex);
        Forward(_batchInputs, _logits);

        // g = d loss / d logits (32 × 4), from the generated kernel; the loss is the batch mean.
        float loss = ClassifierLoss.CrossEntropyLossBackward(_logits, _batchTargets, _logitGradient);

        // Chain rule through logits = X · W + b:  dW = Xᵀ · g,  db = Σ_rows g.
        weightGradient.Clear();
        biasGradient.Clear();
        ReadOnlySpan<float> g = _logitGradient;
        ReadOnlySpan<float> x = _batchInputs;
        for (int i = 0; i < BatchSize; i++)
        {
            ReadOnlySpan<float> gi = g.Slice(i * Classes, Classes);
            for (int f = 0; f < Features; f++)
            {
                float xf = x[i * Features + f];
                Span<float> dw = weightGradient.Slice(f * Classes, Classes);
                for (int c = 0; c < Classes; c++)
                {
                    dw[c] += xf * gi[c];
                }
            }
            for (int c = 0; c < Classes; c++)
            {
                biasGradient[c] += gi[c];
            }
        }
        return loss;
    }

    /// <summary>One SGD step on one mini-batch: <see cref="Gradient"/>, then <c>W -= lr · dW</c>, <c>b -= lr · db</c>.</summary>
    /// <param name="batchIndex">The mini-batch, in [0, BatchesPerEpoch), of the current order.</param>
    /// <returns>The batch loss before the update.</returns>
    public float Step(int batchIndex)
    {
        float loss = Gradient(batchIndex, _weightGradient, _biasGradient);
        for (int i = 0; i < _weights.Length; i++)
        {
            _weights[i] -= _learningRate * _weightGradient[i];
        }
        for (int c = 0; c < Classes; c++)
        {
            _bias[c] -= _learningRate * _biasGradient[c];
        }
        return loss;
    }

    /// <summary>One epoch: <see cref="Shuffle"/>, then one <see cref="Step"/> per mini-batch.</summary>
    /// <returns>The mean of the epoch's batch losses.</returns>
    public float TrainEpoch()
    {
        Shuffle();
        float total = 0f;
        for (int k = 0; k < BatchesPerEpoch; k++)
        {
            total += Step(k);
        }
        return total / BatchesPerEpoch;
    }

    /// <summary>The fraction of the training set whose largest logit is its label's, under the current parameters.</summary>
    /// <returns>A value in [0, 1].</returns>
    public float TrainingAccuracy()
    {
        int correct = 0;
        Span<float> logits = stackalloc float[Classes];
        for (int n = 0; n < Count; n++)
        {
            Logits(_inputs.AsSpan(n * Features, Features), logits);
            if (ArgMax(logits) == _labels[n])
            {
                correct++;
            }
        }
        return (float)correct / Count;
    }

    /// <summary>Copies mini-batch <paramref name="batchIndex"/> of the current order into the batch buffers.</summary>
    private void LoadBatch(int batchIndex)
    {
        if ((uint)batchIndex >= BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"The batch index must be in [0, {BatchesPerEpoch}).");
        }
        int start = batchIndex * BatchSize;
        for (int i = 0; i < BatchSize; i++)
        {
            int n = _order[start + i];
            _batchInputs[i * Features] = _inputs[n * Features];
            _batchInputs[i * Features + 1] = _inputs[n * Features + 1];
            _batchTargets[i] = _labels[n];
        }
    }

    /// <summary><c>logits = X · W + b</c> for a 32 × 2 batch.</summary>
    private void Forward(ReadOnlySpan<float> inputs, Span<float> logits)
    {
        for (int i = 0; i < BatchSize; i++)
        {
            Logits(inputs.Slice(i * Features, Features), logits.Slice(i * Classes, Classes));
        }
    }

    /// <summary><c>z_c = b_c + Σ_f x_f W[f, c]</c> for one point.</summary>
    private void Logits(ReadOnlySpan<float> x, Span<float> z)
    {
        for (int c = 0; c < Classes; c++)
        {
            float sum = _bias[c];
            for (int f = 0; f < Features; f++)
            {
                sum += x[f] * _weights[f * Classes + c];
            }
            z[c] = sum;
        }
    }

    /// <summary>The index of the largest value; the first one on a tie (as <c>torch.argmax</c>).</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
            {
                best = c;
            }
        }
        return best;
    }
}
