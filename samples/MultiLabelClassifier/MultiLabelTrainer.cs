using System;

namespace FixedShapeLoss.Samples.MultiLabel;

/// <summary>
/// A linear multi-label classifier on 2-D points (<c>logits = x · W + b</c>, W is 2 × 3, one sigmoid output per
/// label) trained with mini-batch SGD on <c>torch.nn.BCEWithLogitsLoss</c> (the generated
/// <see cref="MultiLabelLoss.BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>).
/// </summary>
/// <remarks>
/// <para>Each point carries three independent yes/no labels, any combination of them at once: label 0 "right"
/// (<c>x &gt; 0.5</c>), label 1 "up" (<c>y &gt; -0.5</c>), label 2 "above the diagonal" (<c>y &gt; x</c>), each flipped
/// for 5% of the points so the data are not separable.</para>
/// <para>Every random number comes from one <see cref="TorchGenerator"/>, in this order (PyTorch terms, after
/// <c>torch.manual_seed(seed)</c>): <c>points = 1.5 * torch.randn(1024, 2)</c>; <c>flip = torch.rand(1024, 3)</c>
/// (a label flips where <c>flip &lt; 0.05</c>); <c>W = torch.rand(2, 3)</c> and <c>b = torch.rand(3)</c>, mapped to
/// [-1/√2, 1/√2) like <c>nn.Linear</c>'s initialization; then one Fisher–Yates shuffle per epoch with swap indices
/// <c>torch.randint(i, 1024, (1,))</c>. Everything is allocated in the constructor: a step allocates nothing.</para>
/// </remarks>
public sealed class MultiLabelTrainer
{
    /// <summary>Input dimensions per point.</summary>
    public const int Features = 2;

    /// <summary>Labels per point; the kernel's column count.</summary>
    public const int Labels = MultiLabelLoss.Classes;

    /// <summary>Points per mini-batch; the kernel's row count.</summary>
    public const int BatchSize = MultiLabelLoss.Batch;

    /// <summary>Points in the training set.</summary>
    public const int Count = 1024;

    /// <summary>Mini-batches per epoch.</summary>
    public const int BatchesPerEpoch = Count / BatchSize;

    /// <summary>The spread of the points: <c>points = Spread * randn</c>.</summary>
    public const float Spread = 1.5f;

    /// <summary>The fraction of labels flipped (label noise).</summary>
    public const float FlipRate = 0.05f;

    private readonly TorchGenerator _generator;
    private readonly float _learningRate;
    private readonly float[] _inputs = new float[Count * Features];
    private readonly float[] _targets = new float[Count * Labels];       // 0 or 1
    private readonly int[] _order = new int[Count];
    private readonly long[] _draw = new long[1];
    private readonly float[] _weights = new float[Features * Labels];   // row-major Features × Labels
    private readonly float[] _bias = new float[Labels];
    private readonly float[] _batchInputs = new float[BatchSize * Features];
    private readonly float[] _batchTargets = new float[MultiLabelLoss.Length];
    private readonly float[] _logits = new float[MultiLabelLoss.Length];
    private readonly float[] _logitGradient = new float[MultiLabelLoss.Length];
    private readonly float[] _weightGradient = new float[Features * Labels];
    private readonly float[] _biasGradient = new float[Labels];

    /// <summary>Draws the data set and the initial parameters from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed, as <c>torch.manual_seed(seed)</c>.</param>
    /// <param name="learningRate">The SGD step size.</param>
    public MultiLabelTrainer(ulong seed, float learningRate)
    {
        if (!(learningRate > 0f) || float.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        }

        _generator = new TorchGenerator(seed);
        _learningRate = learningRate;
        _generator.Randn(_inputs);
        for (int k = 0; k < _inputs.Length; k++)
        {
            _inputs[k] *= Spread;
        }

        _generator.Rand(_targets); // the flip draws, replaced by the labels below
        for (int n = 0; n < Count; n++)
        {
            for (int c = 0; c < Labels; c++)
            {
                bool truth = TrueLabel(c, _inputs[n * Features], _inputs[n * Features + 1]);
                bool flipped = _targets[n * Labels + c] < FlipRate;
                _targets[n * Labels + c] = truth != flipped ? 1f : 0f;
            }
        }

        float bound = 1f / MathF.Sqrt(Features);
        _generator.Rand(_weights);
        _generator.Rand(_bias);
        for (int k = 0; k < _weights.Length; k++)
        {
            _weights[k] = (2f * _weights[k] - 1f) * bound;
        }

        for (int c = 0; c < Labels; c++)
        {
            _bias[c] = (2f * _bias[c] - 1f) * bound;
        }

        for (int n = 0; n < Count; n++)
        {
            _order[n] = n;
        }
    }

    /// <summary>The noiseless rule of label <paramref name="label"/> at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <param name="label">0 "right" (x &gt; 0.5), 1 "up" (y &gt; -0.5) or 2 "above the diagonal" (y &gt; x).</param>
    /// <param name="x">The first coordinate.</param>
    /// <param name="y">The second coordinate.</param>
    /// <returns>Whether the label holds.</returns>
    public static bool TrueLabel(int label, float x, float y) => label switch
    {
        0 => x > 0.5f,
        1 => y > -0.5f,
        _ => y > x,
    };

    /// <summary>The SGD step size.</summary>
    public float LearningRate => _learningRate;

    /// <summary>The training points, row-major <c>Count × Features</c>.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>The 0/1 targets, row-major <c>Count × Labels</c>.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The current epoch's order.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>The weights W, row-major <c>Features × Labels</c>.</summary>
    public Span<float> Weights => _weights;

    /// <summary>The bias b, one per label.</summary>
    public Span<float> Bias => _bias;

    /// <summary>Starts an epoch: a fresh Fisher–Yates permutation of the training set from the generator.</summary>
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

    /// <summary>The gradient of mini-batch <paramref name="batchIndex"/>'s mean BCE-with-logits loss with respect to
    /// W and b, without changing them.</summary>
    /// <param name="batchIndex">The mini-batch, in [0, BatchesPerEpoch), of the current order.</param>
    /// <param name="weightGradient">Receives d loss / d W, row-major <c>Features × Labels</c>.</param>
    /// <param name="biasGradient">Receives d loss / d b.</param>
    /// <returns>The batch loss.</returns>
    public float Gradient(int batchIndex, Span<float> weightGradient, Span<float> biasGradient)
    {
        if (weightGradient.Length != Features * Labels)
        {
            throw new ArgumentException($"Expected {Features * Labels} elements, got {weightGradient.Length}.", nameof(weightGradient));
        }

        if (biasGradient.Length != Labels)
        {
            throw new ArgumentException($"Expected {Labels} elements, got {biasGradient.Length}.", nameof(biasGradient));
        }

        if ((uint)batchIndex >= BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"The batch index must be in [0, {BatchesPerEpoch}).");
        }

        for (int i = 0; i < BatchSize; i++)
        {
            int n = _order[batchIndex * BatchSize + i];
            _inputs.AsSpan(n * Features, Features).CopyTo(_batchInputs.AsSpan(i * Features));
            _targets.AsSpan(n * Labels, Labels).CopyTo(_batchTargets.AsSpan(i * Labels));
            Logits(_batchInputs.AsSpan(i * Features, Features), _logits.AsSpan(i * Labels, Labels));
        }

        // g = d loss / d logits (32 × 3) from the generated kernel: (sigmoid(z) - y) / 96; the loss is the mean.
        float loss = MultiLabelLoss.BinaryCrossEntropyWithLogitsLossBackward(_logits, _batchTargets, _logitGradient);

        // Chain rule through logits = X · W + b:  dW = Xᵀ · g,  db = Σ_rows g.
        weightGradient.Clear();
        biasGradient.Clear();
        for (int i = 0; i < BatchSize; i++)
        {
            for (int c = 0; c < Labels; c++)
            {
                float g = _logitGradient[i * Labels + c];
                for (int f = 0; f < Features; f++)
                {
                    weightGradient[f * Labels + c] += _batchInputs[i * Features + f] * g;
                }

                biasGradient[c] += g;
            }
        }

        return loss;
    }

    /// <summary>One SGD step on one mini-batch.</summary>
    /// <param name="batchIndex">The mini-batch of the current order.</param>
    /// <returns>The batch loss before the update.</returns>
    public float Step(int batchIndex)
    {
        float loss = Gradient(batchIndex, _weightGradient, _biasGradient);
        for (int k = 0; k < _weights.Length; k++)
        {
            _weights[k] -= _learningRate * _weightGradient[k];
        }

        for (int c = 0; c < Labels; c++)
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

    /// <summary>How well the current parameters fit the training set: the fraction of single labels right
    /// (logit &gt; 0 exactly where the target is 1) and the fraction of points with all three right.</summary>
    /// <returns>(labels right, points with every label right), each in [0, 1].</returns>
    public (float LabelAccuracy, float ExactMatch) Accuracy()
    {
        int labelsRight = 0, pointsRight = 0;
        Span<float> z = stackalloc float[Labels];
        for (int n = 0; n < Count; n++)
        {
            Logits(_inputs.AsSpan(n * Features, Features), z);
            int right = 0;
            for (int c = 0; c < Labels; c++)
            {
                if ((z[c] > 0f) == (_targets[n * Labels + c] == 1f))
                {
                    right++;
                }
            }

            labelsRight += right;
            pointsRight += right == Labels ? 1 : 0;
        }

        return ((float)labelsRight / (Count * Labels), (float)pointsRight / Count);
    }

    /// <summary>The label set the current parameters predict at a point: bit c set where logit c &gt; 0.</summary>
    /// <param name="x">The first coordinate.</param>
    /// <param name="y">The second coordinate.</param>
    /// <returns>A label set in [0, 2^Labels).</returns>
    public int Predict(float x, float y)
    {
        int set = 0;
        for (int c = 0; c < Labels; c++)
        {
            if (_bias[c] + x * _weights[c] + y * _weights[Labels + c] > 0f)
            {
                set |= 1 << c;
            }
        }

        return set;
    }

    /// <summary><c>z_c = b_c + Σ_f x_f W[f, c]</c> for one point.</summary>
    private void Logits(ReadOnlySpan<float> x, Span<float> z)
    {
        for (int c = 0; c < Labels; c++)
        {
            float sum = _bias[c];
            for (int f = 0; f < Features; f++)
            {
                sum += x[f] * _weights[f * Labels + c];
            }

            z[c] = sum;
        }
    }
}
