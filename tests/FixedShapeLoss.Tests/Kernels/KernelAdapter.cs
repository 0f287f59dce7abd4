using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>
/// One generated kernel class seen through delegates bound to its static members, so the same test body runs on
/// the kernels compiled into this assembly (C# latest: the generic whole-matrix helpers) and on the same shapes
/// compiled at C# 10 in FixedShapeLoss.TestKernels.CSharp10 (the non-generic helpers). A C# 10 class cannot
/// implement an interface of static abstract members, hence delegates.
/// </summary>
public sealed class KernelAdapter
{
    public delegate void SpanAction(Span<float> values);
    public delegate void Map(ReadOnlySpan<float> x, Span<float> destination);
    public delegate void LabelsToMatrix(ReadOnlySpan<int> labels, Span<float> destination);
    public delegate void MatrixToLabels(ReadOnlySpan<float> oneHot, Span<int> destination);
    public delegate float MatrixLabels(ReadOnlySpan<float> x, ReadOnlySpan<int> labels);
    public delegate float MatrixMatrix(ReadOnlySpan<float> x, ReadOnlySpan<float> y);
    public delegate float MatrixLabelsWeight(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, ReadOnlySpan<float> weight);
    public delegate void PerSample(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> losses);
    public delegate void PerSampleWeighted(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, ReadOnlySpan<float> weight, Span<float> losses);
    public delegate float Backward(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> gradient);
    public delegate float BackwardWeighted(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, ReadOnlySpan<float> weight, Span<float> gradient);
    public delegate float BackwardSoft(ReadOnlySpan<float> x, ReadOnlySpan<float> targetProbabilities, Span<float> gradient);
    public delegate float MatrixMatrixWeight(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> weight);
    public delegate void PerElement(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> losses);
    public delegate float BackwardSoftWeighted(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> weight, Span<float> gradient);

    private static readonly Assembly s_csharp10Assembly = typeof(FixedShapeLoss.TestKernels.CSharp10.Loss4x7).Assembly;

    private readonly MatrixLabels _crossEntropyLabels;
    private readonly MatrixMatrix _crossEntropyOneHot;
    private readonly MatrixLabels _loss;
    private readonly MatrixLabelsWeight _lossWeighted;
    private readonly MatrixMatrix _lossSoft;
    private readonly PerSample _perSample;
    private readonly PerSampleWeighted _perSampleWeighted;
    private readonly Backward _backward;
    private readonly BackwardWeighted _backwardWeighted;
    private readonly BackwardSoft _backwardSoft;
    private readonly MatrixLabels _nll;
    private readonly MatrixLabelsWeight _nllWeighted;
    private readonly Backward _nllBackward;
    private readonly BackwardWeighted _nllBackwardWeighted;
    private readonly MatrixMatrix _withLogits;
    private readonly MatrixMatrixWeight _withLogitsPosWeight;
    private readonly BackwardSoft _withLogitsBackward;
    private readonly BackwardSoftWeighted _withLogitsBackwardPosWeight;

    private KernelAdapter(Type type, bool csharp10)
    {
        Name = type.Name;
        CSharp10 = csharp10;
        Batch = Constant<int>(type, "Batch");
        Classes = Constant<int>(type, "Classes");
        Reduction = Constant<LossReduction>(type, "Reduction");
        LabelSmoothing = Constant<float>(type, "LabelSmoothing");
        IgnoreIndex = Constant<int>(type, "IgnoreIndex");
        Normalize = Bind<SpanAction>(type, "Normalize");
        Softmax = Bind<Map>(type, "Softmax");
        LogSoftmax = Bind<Map>(type, "LogSoftmax");
        OneHot = Bind<LabelsToMatrix>(type, "OneHot");
        Labels = Bind<MatrixToLabels>(type, "Labels");
        _crossEntropyLabels = Bind<MatrixLabels>(type, "CrossEntropy");
        _crossEntropyOneHot = Bind<MatrixMatrix>(type, "CrossEntropy");
        _loss = Bind<MatrixLabels>(type, "CrossEntropyLoss");
        _lossWeighted = Bind<MatrixLabelsWeight>(type, "CrossEntropyLoss");
        _lossSoft = Bind<MatrixMatrix>(type, "CrossEntropyLoss");
        _perSample = Bind<PerSample>(type, "CrossEntropyLossPerSample");
        _perSampleWeighted = Bind<PerSampleWeighted>(type, "CrossEntropyLossPerSample");
        _backward = Bind<Backward>(type, "CrossEntropyLossBackward");
        _backwardWeighted = Bind<BackwardWeighted>(type, "CrossEntropyLossBackward");
        _backwardSoft = Bind<BackwardSoft>(type, "CrossEntropyLossBackward");
        _nll = Bind<MatrixLabels>(type, "NllLoss");
        _nllWeighted = Bind<MatrixLabelsWeight>(type, "NllLoss");
        NllLossPerSample = Bind<PerSample>(type, "NllLossPerSample");
        _nllBackward = Bind<Backward>(type, "NllLossBackward");
        _nllBackwardWeighted = Bind<BackwardWeighted>(type, "NllLossBackward");
        _withLogits = Bind<MatrixMatrix>(type, "BinaryCrossEntropyWithLogitsLoss");
        _withLogitsPosWeight = Bind<MatrixMatrixWeight>(type, "BinaryCrossEntropyWithLogitsLoss");
        BinaryCrossEntropyWithLogitsLossPerElement = Bind<PerElement>(type, "BinaryCrossEntropyWithLogitsLossPerElement");
        _withLogitsBackward = Bind<BackwardSoft>(type, "BinaryCrossEntropyWithLogitsLossBackward");
        _withLogitsBackwardPosWeight = Bind<BackwardSoftWeighted>(type, "BinaryCrossEntropyWithLogitsLossBackward");
        BinaryCrossEntropyLoss = Bind<MatrixMatrix>(type, "BinaryCrossEntropyLoss");
        BinaryCrossEntropyLossPerElement = Bind<PerElement>(type, "BinaryCrossEntropyLossPerElement");
        BinaryCrossEntropyLossBackward = Bind<BackwardSoft>(type, "BinaryCrossEntropyLossBackward");
    }

    /// <summary>The class name (the same in both kernel sets).</summary>
    public string Name { get; }

    /// <summary>Whether the class was compiled at C# 10 (non-generic helpers).</summary>
    public bool CSharp10 { get; }

    public int Batch { get; }
    public int Classes { get; }
    public int Length => Batch * Classes;
    public LossReduction Reduction { get; }
    public float LabelSmoothing { get; }
    public int IgnoreIndex { get; }

    public SpanAction Normalize { get; }
    public Map Softmax { get; }
    public Map LogSoftmax { get; }
    public LabelsToMatrix OneHot { get; }
    public MatrixToLabels Labels { get; }

    public float CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels) => _crossEntropyLabels(probabilities, labels);
    public float CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> oneHot) => _crossEntropyOneHot(probabilities, oneHot);
    public float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) => _loss(logits, targets);
    public float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight) => _lossWeighted(logits, targets, weight);
    public float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities) => _lossSoft(logits, targetProbabilities);
    public void CrossEntropyLossPerSample(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses) => _perSample(logits, targets, losses);
    public void CrossEntropyLossPerSample(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> losses) =>
        _perSampleWeighted(logits, targets, weight, losses);
    public float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient) => _backward(logits, targets, gradient);
    public float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> gradient) =>
        _backwardWeighted(logits, targets, weight, gradient);
    public float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> gradient) =>
        _backwardSoft(logits, targetProbabilities, gradient);

    // The loss family (nn.NLLLoss, nn.BCEWithLogitsLoss, nn.BCELoss); members without overloads as delegates.
    public float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets) => _nll(logProbabilities, targets);
    public float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight) => _nllWeighted(logProbabilities, targets, weight);
    public PerSample NllLossPerSample { get; }
    public float NllLossBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, Span<float> gradient) => _nllBackward(logProbabilities, targets, gradient);
    public float NllLossBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> gradient) =>
        _nllBackwardWeighted(logProbabilities, targets, weight, gradient);
    public float BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets) => _withLogits(logits, targets);
    public float BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> posWeight) =>
        _withLogitsPosWeight(logits, targets, posWeight);
    public PerElement BinaryCrossEntropyWithLogitsLossPerElement { get; }
    public float BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient) =>
        _withLogitsBackward(logits, targets, gradient);
    public float BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> posWeight, Span<float> gradient) =>
        _withLogitsBackwardPosWeight(logits, targets, posWeight, gradient);
    public MatrixMatrix BinaryCrossEntropyLoss { get; }
    public PerElement BinaryCrossEntropyLossPerElement { get; }
    public BackwardSoft BinaryCrossEntropyLossBackward { get; }

    /// <summary>The class <paramref name="name"/> of the kernel set compiled at C# latest (false) or C# 10 (true).</summary>
    public static KernelAdapter Get(string name, bool csharp10)
    {
        var type = csharp10
            ? s_csharp10Assembly.GetType("FixedShapeLoss.TestKernels.CSharp10." + name, throwOnError: true)!
            : typeof(KernelAdapter).Assembly.GetType("FixedShapeLoss.Tests.Kernels." + name, throwOnError: true)!;
        return new KernelAdapter(type, csharp10);
    }

    /// <summary>Every class of a kernel set whose name starts with <paramref name="prefix"/>.</summary>
    public static IEnumerable<KernelAdapter> All(string prefix, bool csharp10)
    {
        var assembly = csharp10 ? s_csharp10Assembly : typeof(KernelAdapter).Assembly;
        string ns = csharp10 ? "FixedShapeLoss.TestKernels.CSharp10" : "FixedShapeLoss.Tests.Kernels";
        return assembly.GetTypes()
            .Where(t => t.Namespace == ns && t.Name.StartsWith(prefix, StringComparison.Ordinal) && t.GetField("Batch") != null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new KernelAdapter(t, csharp10));
    }

    public override string ToString() => (CSharp10 ? "C# 10 " : "") + Name;

    private static T Constant<T>(Type type, string name) =>
        (T)(type.GetField(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingFieldException(type.Name, name)).GetValue(null)!;

    private static TDelegate Bind<TDelegate>(Type type, string name)
        where TDelegate : Delegate
    {
        var parameters = typeof(TDelegate).GetMethod("Invoke")!.GetParameters().Select(p => p.ParameterType).ToArray();
        var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new MissingMethodException(type.Name, name);
        return method.CreateDelegate<TDelegate>();
    }
}
