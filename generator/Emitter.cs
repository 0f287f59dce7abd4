using System;
using System.Collections.Generic;
using System.Globalization;
using FixedShapeLoss.Generator.Helpers;

namespace FixedShapeLoss.Generator;

/// <summary>
/// Turns a <see cref="KernelSpec"/> into C# source: a pure function of the spec, so the same spec always
/// gives the same text. Every kernel is written once as a row body; the strategy decides whether rows are
/// unrolled into straight-line blocks with constant offsets or walked by a loop with a constant trip count.
/// </summary>
internal static partial class Emitter
{
    /// <summary>Rows are unrolled when <c>Batch &lt;= UnrollMaxBatch</c> and <c>Batch * Classes &lt;= UnrollMaxLength</c>.</summary>
    public const int UnrollMaxBatch = 16;

    /// <inheritdoc cref="UnrollMaxBatch"/>
    public const int UnrollMaxLength = 4096;

    /// <summary>Rows of at most this many classes take the lanes = rows kernels (KernelMath.TinyMaxClasses).</summary>
    public const int TinyMaxClasses = 16;

    private const string ReadOnlySpanFloat = "global::System.ReadOnlySpan<float>";
    private const string SpanFloat = "global::System.Span<float>";
    private const string ReadOnlySpanInt = "global::System.ReadOnlySpan<int>";
    private const string SpanInt = "global::System.Span<int>";
    private const string KM = "global::FixedShapeLoss.KernelMath";
    private const string Guard = "global::FixedShapeLoss.KernelGuard";
    private const string Log = "global::System.MathF.Log";

    /// <summary>The private nested struct that carries the shape as a type argument to the generic helpers.</summary>
    public const string ShapeTypeName = "LossKernelShape";

    /// <summary>Every member the generator declares, with the parameter types of each overload
    /// (empty for constants), so the parser can report a user member that clashes with one.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> GeneratedMembers = new Dictionary<string, string[]>
    {
        ["Batch"] = Array.Empty<string>(),
        ["Classes"] = Array.Empty<string>(),
        ["Length"] = Array.Empty<string>(),
        ["Reduction"] = Array.Empty<string>(),
        ["LabelSmoothing"] = Array.Empty<string>(),
        ["IgnoreIndex"] = Array.Empty<string>(),
        [ShapeTypeName] = Array.Empty<string>(),
        ["Normalize"] = new[] { SpanFloat },
        ["Softmax"] = new[] { $"{ReadOnlySpanFloat}, {SpanFloat}" },
        ["LogSoftmax"] = new[] { $"{ReadOnlySpanFloat}, {SpanFloat}" },
        ["OneHot"] = new[] { $"{ReadOnlySpanInt}, {SpanFloat}" },
        ["Labels"] = new[] { $"{ReadOnlySpanFloat}, {SpanInt}" },
        ["CrossEntropy"] = new[] { $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}", $"{ReadOnlySpanFloat}, {ReadOnlySpanFloat}" },
        ["CrossEntropyLoss"] = new[]
        {
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}",
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}, {ReadOnlySpanFloat}",
            $"{ReadOnlySpanFloat}, {ReadOnlySpanFloat}",
        },
        ["CrossEntropyLossPerSample"] = new[]
        {
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}, {SpanFloat}",
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}, {ReadOnlySpanFloat}, {SpanFloat}",
        },
        ["CrossEntropyLossBackward"] = new[]
        {
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}, {SpanFloat}",
            $"{ReadOnlySpanFloat}, {ReadOnlySpanInt}, {ReadOnlySpanFloat}, {SpanFloat}",
            $"{ReadOnlySpanFloat}, {ReadOnlySpanFloat}, {SpanFloat}",
        },
    };

    public static bool Unrolled(KernelSpec spec) => spec.Batch <= UnrollMaxBatch && spec.Length <= UnrollMaxLength;

    public static string Emit(KernelSpec spec)
    {
        var w = new SourceWriter();
        string version = typeof(Emitter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        WriteHeader(w, spec, version);

        var scopes = new List<SourceWriter.Block>();
        if (spec.Namespace is not null)
        {
            scopes.Add(w.Open($"namespace {spec.Namespace}"));
        }

        foreach (var outer in spec.ContainingTypes)
        {
            scopes.Add(w.Open($"partial {outer.Keyword} {outer.Name}"));
        }

        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"FixedShapeLoss\", \"{version}\")]");
        using (w.Open($"{spec.Modifiers} {spec.ClassName}"))
        {
            var k = new KernelWriter(w, spec);
            k.Constants();
            k.Normalize();
            k.Softmax();
            k.LogSoftmax();
            k.OneHot();
            k.Labels();
            k.CrossEntropyFromLabels();
            k.CrossEntropyFromOneHot();
            k.CrossEntropyLoss(weighted: false);
            k.CrossEntropyLoss(weighted: true);
            k.CrossEntropyLossSoft();
            k.PerSample(weighted: false);
            k.PerSample(weighted: true);
            k.Backward(weighted: false);
            k.Backward(weighted: true);
            k.BackwardSoft();
            k.LossFamily();
            k.ShapeType();
        }

        for (int i = scopes.Count - 1; i >= 0; i--)
        {
            scopes[i].Dispose();
        }

        return w.ToString();
    }

    private static void WriteHeader(SourceWriter w, KernelSpec spec, string version)
    {
        string reduction = spec.Reduction == KernelReduction.Sum ? "Sum" : "Mean";
        w.Line("// <auto-generated/>");
        w.Line($"// Generated by FixedShapeLoss {version} for {spec.ClassName}: Batch = {spec.Batch}, Classes = {spec.Classes}, Length = {spec.Length}.");
        w.Line($"// Options: Reduction = {reduction}, LabelSmoothing = {Float(spec.LabelSmoothing)}, IgnoreIndex = {spec.IgnoreIndex}.");
        w.Line("//");
        if (Unrolled(spec))
        {
            w.Line($"// Strategy: rows unrolled. Batch <= {UnrollMaxBatch} and Length <= {UnrollMaxLength}, so every row is its own");
            w.Line("// straight-line block with constant offsets; the work inside a row (max, exp, sum, log) runs on the");
            w.Line("// SIMD helpers of FixedShapeLoss.KernelMath with the constant class count, so a row of up to 16");
            w.Line("// classes stays in one vector.");
        }
        else
        {
            w.Line($"// Strategy: row loop. Batch > {UnrollMaxBatch} or Length > {UnrollMaxLength}, so one loop with a constant trip");
            w.Line("// count walks the rows and the work inside a row (max, exp, sums) runs on the SIMD helpers of");
            w.Line("// FixedShapeLoss.KernelMath; the file stays this size whatever the shape.");
        }

        if (spec.LabelSmoothing == 0f)
        {
            w.Line("// The plain CrossEntropyLoss and CrossEntropyLossBackward (class indices, no weights, no smoothing)");
            w.Line("// hand the whole matrix to KernelMath: with up to 16 classes it takes 8 rows at a time, one row per");
            if (spec.HelperCalls == HelperCalls.Generic)
            {
                w.Line("// vector lane, so the max, exp, sum and log of 8 rows run side by side. The helper is generic over the");
                w.Line($"// nested {ShapeTypeName} struct, so the JIT compiles it for this shape with Batch and Classes as constants.");
            }
            else
            {
                w.Line("// vector lane, so the max, exp, sum and log of 8 rows run side by side. (Before C# 11 the shape cannot be");
                w.Line("// a type argument of the generic helpers, so this file calls the slower non-generic ones.)");
            }
        }

        w.Line("//");
        w.Line("// Formulas (as PyTorch on CPU), for row i with logits x, m = max_j x_j and s = sum_j exp(x_j - m):");
        w.Line("//   softmax      p_j     = exp(x_j - m) / s");
        w.Line("//   log-softmax  log p_j = (x_j - m) - log s");
        w.Line("//   loss         l_i     = -w[t_i] log p_t          (w = 1 without class weights; 0 when t_i == IgnoreIndex)");
        w.Line("//   smoothing    l_i     = (1 - e) l_i + (e / C) * (-sum_c w_c log p_c)");
        w.Line("//   Mean         sum_i l_i / sum_i w[t_i] over the rows not ignored;  Sum  sum_i l_i");
        w.Line("//   gradient     dl/dx_j = scale * (p_j * a - (1 - e) w_t [j == t] - (e / C) w_j),  a = (1 - e) w_t + (e / C) sum_c w_c");
        w.Line();
        w.Line("#nullable enable");
        w.Line();
    }

    internal static string Float(float value)
    {
        if (value == 0f)
        {
            return "0";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static string FloatLiteral(float value) => Float(value) + "f";

    /// <summary>Writes the members of one kernel class.</summary>
    private sealed partial class KernelWriter
    {
        private readonly SourceWriter _w;
        private readonly KernelSpec _spec;
        private readonly bool _smoothing;
        private readonly bool _mean;

        public KernelWriter(SourceWriter w, KernelSpec spec)
        {
            _w = w;
            _spec = spec;
            _smoothing = spec.LabelSmoothing > 0f;
            _mean = spec.Reduction == KernelReduction.Mean;
        }

        private string Shape => $"{_spec.Batch} × {_spec.Classes}";

        /// <summary>The element type of every matrix: <c>float</c> or <c>double</c>.</summary>
        private string T => _spec.ElementType == KernelElementType.Double ? "double" : "float";

        /// <summary><c>global::System.ReadOnlySpan&lt;T&gt;</c> for the element type.</summary>
        private string ReadOnlySpanT => $"global::System.ReadOnlySpan<{T}>";

        /// <summary><c>global::System.Span&lt;T&gt;</c> for the element type.</summary>
        private string SpanT => $"global::System.Span<{T}>";

        /// <summary>A literal of the element type: <c>1f</c> or <c>1d</c>.</summary>
        private string Lit(string number) => number + (_spec.ElementType == KernelElementType.Double ? "d" : "f");

        public void Constants()
        {
            var s = _spec;
            Doc("Rows in every matrix the kernels take.");
            _w.Line($"public const int Batch = {s.Batch};");
            _w.Line();
            Doc("Columns (classes) in every matrix the kernels take.");
            _w.Line($"public const int Classes = {s.Classes};");
            _w.Line();
            Doc("Elements in one matrix: <c>Batch * Classes</c>.");
            _w.Line($"public const int Length = {s.Length};");
            _w.Line();
            Doc("How <c>CrossEntropyLoss</c> reduces the per-sample losses (from the attribute).");
            _w.Line($"public const global::FixedShapeLoss.LossReduction Reduction = global::FixedShapeLoss.LossReduction.{(_mean ? "Mean" : "Sum")};");
            _w.Line();
            Doc("Label smoothing <c>e</c> of <c>CrossEntropyLoss</c> (from the attribute).");
            _w.Line($"public const float LabelSmoothing = {FloatLiteral(s.LabelSmoothing)};");
            _w.Line();
            Doc("The target value that contributes neither loss nor gradient (from the attribute).");
            _w.Line($"public const int IgnoreIndex = {s.IgnoreIndex};");
            if (_smoothing)
            {
                _w.Line();
                _w.Line("/// <summary><c>1 - LabelSmoothing</c>: the weight of the target's own term.</summary>");
                _w.Line($"private const float OneMinusSmoothing = {FloatLiteral((float)(1.0 - s.LabelSmoothing))};");
                _w.Line();
                _w.Line("/// <summary><c>LabelSmoothing / Classes</c>: the weight every class receives.</summary>");
                _w.Line($"private const float SmoothingPerClass = {FloatLiteral((float)((double)s.LabelSmoothing / s.Classes))};");
            }
        }

        public void Normalize()
        {
            _w.Line();
            Doc("Divides every row by its sum, in place: <c>v[i, j] = v[i, j] / sum_k v[i, k]</c> (<c>preds / preds.sum(axis=1)</c>).",
                ("values", $"The {Shape} matrix, row-major."));
            using (Method($"public static void Normalize({SpanFloat} values)"))
            {
                CheckLength("values", "Length");
                Rows((_, offset) =>
                {
                    _w.Line($"{SpanFloat} row = values.Slice({offset}, Classes);");
                    _w.Line($"{KM}.Divide(row, {KM}.Sum(row), row);");
                });
            }
        }

        public void Softmax()
        {
            _w.Line();
            Doc("Softmax over each row: <c>p[i, j] = exp(x[i, j] - m_i) / sum_k exp(x[i, k] - m_i)</c>, <c>m_i = max_k x[i, k]</c>.",
                ("logits", $"The {Shape} input, row-major."),
                ("destination", $"Receives the {Shape} probabilities."));
            using (Method($"public static void Softmax({ReadOnlySpanFloat} logits, {SpanFloat} destination)"))
            {
                CheckLength("logits", "Length");
                CheckLength("destination", "Length");
                Rows((_, offset) => _w.Line($"{KM}.RowSoftmax(logits, {offset}, Classes, 1f, destination, out _);"), blocks: false);
            }
        }

        public void LogSoftmax()
        {
            _w.Line();
            Doc("Log-softmax over each row: <c>y[i, j] = (x[i, j] - m_i) - log sum_k exp(x[i, k] - m_i)</c>.",
                ("logits", $"The {Shape} input, row-major."),
                ("destination", $"Receives the {Shape} log-probabilities."));
            using (Method($"public static void LogSoftmax({ReadOnlySpanFloat} logits, {SpanFloat} destination)"))
            {
                CheckLength("logits", "Length");
                CheckLength("destination", "Length");
                Rows((_, offset) => _w.Line($"{KM}.RowLogSoftmax(logits, {offset}, Classes, destination);"), blocks: false);
            }
        }

        public void OneHot()
        {
            _w.Line();
            Doc("One-hot encoding: zeros, then <c>1</c> at <c>[i, labels[i]]</c>.",
                ("labels", "One class index in [0, Classes) per row."),
                ("destination", $"Receives the {Shape} one-hot matrix."));
            using (Method($"public static void OneHot({ReadOnlySpanInt} labels, {SpanFloat} destination)"))
            {
                CheckLength("labels", "Batch");
                CheckLength("destination", "Length");
                _w.Line($"{Guard}.Labels(labels, Classes, \"labels\");");
                _w.Line("destination.Clear();");
                Rows((index, offset) => _w.Line($"destination[{Add(offset, $"labels[{index}]")}] = 1f;"), blocks: false);
            }
        }

        public void Labels()
        {
            _w.Line();
            Doc("The inverse of <c>OneHot</c>: the column of the single <c>1</c> in each row. Every row must hold one 1 and zeros elsewhere.",
                ("oneHot", $"The {Shape} one-hot matrix."),
                ("destination", "Receives one class index per row."));
            using (Method($"public static void Labels({ReadOnlySpanFloat} oneHot, {SpanInt} destination)"))
            {
                CheckLength("oneHot", "Length");
                CheckLength("destination", "Batch");
                _w.Line("// Every row is checked before anything is written.");
                Rows((index, offset) => _w.Line($"{Guard}.OneHotIndex(oneHot.Slice({offset}, Classes), {index}, \"oneHot\");"), blocks: false);
                Rows((index, offset) => _w.Line($"destination[{index}] = global::System.MemoryExtensions.IndexOf(oneHot.Slice({offset}, Classes), 1f);"), blocks: false);
            }
        }

        public void CrossEntropyFromLabels()
        {
            _w.Line();
            Doc("Cross-entropy of probabilities against class indices: <c>-mean_i log p[i, labels[i]]</c>. A probability of 0 gives +inf.",
                ("probabilities", $"The {Shape} probabilities (rows summing to 1), row-major."),
                ("labels", "One class index in [0, Classes) per row."));
            _w.Line("/// <returns>The mean cross-entropy.</returns>");
            using (Method($"public static float CrossEntropy({ReadOnlySpanFloat} probabilities, {ReadOnlySpanInt} labels)"))
            {
                CheckLength("probabilities", "Length");
                CheckLength("labels", "Batch");
                _w.Line($"{Guard}.Labels(labels, Classes, \"labels\");");
                _w.Line("float total = 0f;");
                Rows((index, offset) => _w.Line($"total += {Log}(probabilities[{Add(offset, $"labels[{index}]")}]);"), blocks: false);
                _w.Line("return -(total / Batch);");
            }
        }

        public void CrossEntropyFromOneHot()
        {
            _w.Line();
            Doc("Cross-entropy of probabilities against one-hot rows: <c>-mean_i log sum_j p[i, j] t[i, j]</c>.",
                ("probabilities", $"The {Shape} probabilities, row-major."),
                ("oneHot", $"The {Shape} one-hot (or any non-negative weight) matrix."));
            _w.Line("/// <returns>The mean cross-entropy.</returns>");
            using (Method($"public static float CrossEntropy({ReadOnlySpanFloat} probabilities, {ReadOnlySpanFloat} oneHot)"))
            {
                CheckLength("probabilities", "Length");
                CheckLength("oneHot", "Length");
                _w.Line("float total = 0f;");
                Rows((_, offset) => _w.Line($"total += {Log}({KM}.Dot(probabilities.Slice({offset}, Classes), oneHot.Slice({offset}, Classes)));"), blocks: false);
                _w.Line("return -(total / Batch);");
            }
        }

        private string ReductionDoc => _mean
            ? "Mean: the sum of the per-sample losses divided by the summed weights of the targets that are not IgnoreIndex (NaN when all are ignored)."
            : "Sum: the sum of the per-sample losses.";

        public void CrossEntropyLoss(bool weighted)
        {
            _w.Line();
            Doc($"<c>torch.nn.CrossEntropyLoss</c> from logits and class indices{(weighted ? ", with class weights" : "")}: log-softmax, then the negative log-likelihood. {ReductionDoc}",
                Params(weighted, destination: null));
            _w.Line("/// <returns>The reduced loss.</returns>");
            using (Method($"public static float CrossEntropyLoss({ReadOnlySpanFloat} logits, {ReadOnlySpanInt} targets{(weighted ? $", {ReadOnlySpanFloat} weight" : "")})"))
            {
                IndexTargetPrologue(weighted);
                if (Plain(weighted))
                {
                    _w.Line($"// Whole matrix at once: up to {TinyMaxClasses} classes, 8 rows per vector (lanes = rows); wider rows one by one.");
                    _w.Line(_spec.HelperCalls == HelperCalls.Generic
                        ? $"float total = {KM}.CrossEntropySum<{ShapeTypeName}>(logits, targets, IgnoreIndex); // sum_i log s_i - (x[i, t_i] - m_i)"
                        : $"float total = {KM}.CrossEntropySum(logits, targets, Classes, IgnoreIndex); // sum_i log s_i - (x[i, t_i] - m_i)");
                    _w.Line(_mean ? "return total / denominator;" : "return total;");
                    return;
                }

                _w.Line("float total = 0f;");
                Rows((index, offset) =>
                {
                    _w.Line($"int target = targets[{index}];");
                    using (_w.Open("if (target != IgnoreIndex)"))
                    {
                        RowLogSumExp(offset);
                        IndexLoss(weighted, offset);
                        _w.Line("total += loss;");
                    }
                });
                _w.Line(_mean ? "return total / denominator;" : "return total;");
            }
        }

        public void CrossEntropyLossSoft()
        {
            _w.Line();
            Doc("<c>torch.nn.CrossEntropyLoss</c> from logits and class probabilities (soft targets): "
                + "<c>l_i = -sum_c t'[i, c] log p[i, c]</c> with <c>t' = (1 - e) t + e / C</c>. "
                + (_mean ? "Mean: divided by Batch (never by weights)." : "Sum: the sum over rows."),
                ("logits", $"The {Shape} input, row-major."),
                ("targetProbabilities", $"The {Shape} target probabilities."));
            _w.Line("/// <returns>The reduced loss.</returns>");
            using (Method($"public static float CrossEntropyLoss({ReadOnlySpanFloat} logits, {ReadOnlySpanFloat} targetProbabilities)"))
            {
                CheckLength("logits", "Length");
                CheckLength("targetProbabilities", "Length");
                _w.Line("float total = 0f;");
                Rows((_, offset) =>
                {
                    _w.Line($"{ReadOnlySpanFloat} x = logits.Slice({offset}, Classes);");
                    _w.Line($"{ReadOnlySpanFloat} t = targetProbabilities.Slice({offset}, Classes);");
                    SoftTargetSum();
                    RowLogSumExp(offset);
                    SoftLoss();
                    _w.Line("total += loss;");
                });
                _w.Line(_mean ? "return total / Batch;" : "return total;");
            }
        }

        public void PerSample(bool weighted)
        {
            _w.Line();
            Doc($"Per-sample <c>torch.nn.CrossEntropyLoss</c> (<c>reduction='none'</c>){(weighted ? " with class weights" : "")}: "
                + "<c>losses[i] = -w[t_i] log p[i, t_i]</c> (with label smoothing as configured), 0 where the target is IgnoreIndex.",
                Params(weighted, destination: ("losses", "Receives one loss per row.")));
            using (Method($"public static void CrossEntropyLossPerSample({ReadOnlySpanFloat} logits, {ReadOnlySpanInt} targets{(weighted ? $", {ReadOnlySpanFloat} weight" : "")}, {SpanFloat} losses)"))
            {
                CheckLength("logits", "Length");
                CheckLength("targets", "Batch");
                if (weighted)
                {
                    CheckLength("weight", "Classes");
                }

                CheckLength("losses", "Batch");
                _w.Line($"{Guard}.Targets(targets, Classes, IgnoreIndex, \"targets\");");
                if (weighted && _smoothing)
                {
                    _w.Line($"float weightSum = {KM}.Sum(weight);");
                }

                Rows((index, offset) =>
                {
                    _w.Line($"int target = targets[{index}];");
                    _w.Line("float loss = 0f;");
                    using (_w.Open("if (target != IgnoreIndex)"))
                    {
                        RowLogSumExp(offset);
                        IndexLoss(weighted, offset, declare: false);
                    }

                    _w.Line($"losses[{index}] = loss;");
                });
            }
        }

        public void Backward(bool weighted)
        {
            _w.Line();
            Doc($"<c>torch.nn.CrossEntropyLoss</c>{(weighted ? " with class weights" : "")} and its gradient with respect to the logits. {ReductionDoc} "
                + "<c>gradient[i, j] = scale (p[i, j] a_i - (1 - e) w[t_i] [j == t_i] - (e / C) w_j)</c>; rows whose target is IgnoreIndex get 0.",
                Params(weighted, destination: ("gradient", $"Receives d loss / d logits, {Shape}.")));
            _w.Line("/// <returns>The reduced loss, as <c>CrossEntropyLoss</c> returns it.</returns>");
            using (Method($"public static float CrossEntropyLossBackward({ReadOnlySpanFloat} logits, {ReadOnlySpanInt} targets{(weighted ? $", {ReadOnlySpanFloat} weight" : "")}, {SpanFloat} gradient)"))
            {
                IndexTargetPrologue(weighted, gradient: true);
                _w.Line($"float scale = {(_mean ? "1f / denominator" : "1f")};");
                if (Plain(weighted))
                {
                    _w.Line($"// Whole matrix at once as in CrossEntropyLoss, then each row's g_j = scale * (p_j - [j == t]).");
                    _w.Line(_spec.HelperCalls == HelperCalls.Generic
                        ? $"float total = {KM}.CrossEntropyBackward<{ShapeTypeName}>(logits, targets, IgnoreIndex, scale, gradient);"
                        : $"float total = {KM}.CrossEntropyBackward(logits, targets, Classes, IgnoreIndex, scale, gradient);");
                    _w.Line(_mean ? "return total / denominator;" : "return total;");
                    return;
                }

                _w.Line("float total = 0f;");
                Rows((index, offset) =>
                {
                    _w.Line($"int target = targets[{index}];");
                    using (_w.Open("if (target == IgnoreIndex)"))
                    {
                        _w.Line($"gradient.Slice({offset}, Classes).Clear();");
                    }

                    using (_w.Open("else"))
                    {
                        string wt = weighted ? "weight[target]" : "1f";
                        if (!_smoothing)
                        {
                            _w.Line("// g_j = scale * w_t * (p_j - [j == t]),  p_j = exp(x_j - m) / s");
                            _w.Line($"float factor = {(weighted ? "scale * weight[target]" : "scale")};");
                            RowSoftmaxInto(offset, "factor");
                            IndexLoss(weighted, offset);
                            _w.Line($"gradient[{Add(offset, "target")}] -= factor;");
                        }
                        else
                        {
                            _w.Line("// g_j = scale * (p_j * a - (1 - e) w_t [j == t] - (e / C) w_j),  p_j = exp(x_j - m) / s");
                            _w.Line($"float a = {(weighted ? "OneMinusSmoothing * weight[target] + SmoothingPerClass * weightSum" : "1f")};");
                            RowSoftmaxInto(offset, "scale * a");
                            IndexLoss(weighted, offset);
                            _w.Line($"gradient[{Add(offset, "target")}] -= scale * OneMinusSmoothing * {wt};");
                            _w.Line(weighted
                                ? $"{KM}.MultiplyAdd(weight, -(scale * SmoothingPerClass), gradient.Slice({offset}, Classes));"
                                : $"{KM}.Subtract(gradient.Slice({offset}, Classes), scale * SmoothingPerClass, gradient.Slice({offset}, Classes));");
                        }

                        _w.Line("total += loss;");
                    }
                });
                _w.Line(_mean ? "return total / denominator;" : "return total;");
            }
        }

        public void BackwardSoft()
        {
            _w.Line();
            Doc("<c>torch.nn.CrossEntropyLoss</c> from logits and target probabilities, and its gradient: "
                + "<c>gradient[i, j] = scale (p[i, j] sum_c t'[i, c] - t'[i, j])</c> with <c>t' = (1 - e) t + e / C</c>"
                + (_mean ? ", scale = 1 / Batch." : ", scale = 1."),
                ("logits", $"The {Shape} input, row-major."),
                ("targetProbabilities", $"The {Shape} target probabilities."),
                ("gradient", $"Receives d loss / d logits, {Shape}."));
            _w.Line("/// <returns>The reduced loss, as <c>CrossEntropyLoss</c> returns it.</returns>");
            using (Method($"public static float CrossEntropyLossBackward({ReadOnlySpanFloat} logits, {ReadOnlySpanFloat} targetProbabilities, {SpanFloat} gradient)"))
            {
                CheckLength("logits", "Length");
                CheckLength("targetProbabilities", "Length");
                CheckLength("gradient", "Length");
                _w.Line($"const float scale = {(_mean ? "1f / Batch" : "1f")};");
                _w.Line("float total = 0f;");
                Rows((_, offset) =>
                {
                    _w.Line($"{ReadOnlySpanFloat} x = logits.Slice({offset}, Classes);");
                    _w.Line($"{ReadOnlySpanFloat} t = targetProbabilities.Slice({offset}, Classes);");
                    _w.Line($"{SpanFloat} g = gradient.Slice({offset}, Classes);");
                    SoftTargetSum();
                    RowSoftmaxInto(offset, "scale * targetSum");
                    SoftLoss();
                    _w.Line("total += loss;");
                    _w.Line(_smoothing ? $"{KM}.MultiplyAdd(t, -(scale * OneMinusSmoothing), g);" : $"{KM}.MultiplyAdd(t, -scale, g);");
                    if (_smoothing)
                    {
                        _w.Line($"{KM}.Subtract(g, scale * SmoothingPerClass, g);");
                    }
                });
                _w.Line(_mean ? "return total / Batch;" : "return total;");
            }
        }

        /// <summary>The nested struct that the plain kernels pass to the generic whole-matrix helpers (only when a
        /// plain kernel exists, that is without label smoothing, and the language version has static abstract
        /// interface members).</summary>
        public void ShapeType()
        {
            if (!Plain(weighted: false) || _spec.HelperCalls != HelperCalls.Generic)
            {
                return;
            }

            _w.Line();
            Doc("This kernel's shape as a type argument of the shared helpers: the JIT compiles a generic method once per struct "
                + "type argument, so inside it Batch and Classes are constants (index vectors and masks fold, shape branches vanish).");
            using (_w.Open($"private readonly struct {ShapeTypeName} : global::FixedShapeLoss.IKernelShape"))
            {
                Doc("Rows: <c>Batch</c>.");
                _w.Line($"public static int Batch => {_spec.Batch};");
                _w.Line();
                Doc("Columns: <c>Classes</c>.");
                _w.Line($"public static int Classes => {_spec.Classes};");
            }
        }

        // ---- shared pieces -------------------------------------------------------------------------

        /// <summary>Whether the kernel is the plain one (index targets, no class weights, no label smoothing), which
        /// calls one whole-matrix helper of KernelMath: rows of at most <see cref="TinyMaxClasses"/> classes are then
        /// processed together, lanes = rows; wider rows go row by row inside the helper. The call is the same
        /// for every shape, so the loop strategy still writes the same file whatever the shape.</summary>
        private bool Plain(bool weighted) => !weighted && !_smoothing;

        private (string Name, string Text)[] Params(bool weighted, (string, string)? destination)
        {
            var list = new List<(string, string)>
            {
                ("logits", $"The {Shape} input, row-major."),
                ("targets", "One class index per row, in [0, Classes) or IgnoreIndex."),
            };
            if (weighted)
            {
                list.Add(("weight", "One weight per class (length Classes)."));
            }

            if (destination is { } d)
            {
                list.Add(d);
            }

            return list.ToArray();
        }

        /// <summary>Length checks, target checks, and the Mean denominator (sum of w[t_i] over kept rows).</summary>
        private void IndexTargetPrologue(bool weighted, bool gradient = false)
        {
            CheckLength("logits", "Length");
            CheckLength("targets", "Batch");
            if (weighted)
            {
                CheckLength("weight", "Classes");
            }

            if (gradient)
            {
                CheckLength("gradient", "Length");
            }

            if (weighted)
            {
                _w.Line($"{Guard}.Targets(targets, Classes, IgnoreIndex, \"targets\");");
                if (_mean)
                {
                    _w.Line($"float denominator = {Guard}.TargetWeightSum(targets, weight, IgnoreIndex); // sum of w[t_i] over targets not ignored");
                }

                if (_smoothing)
                {
                    _w.Line($"float weightSum = {KM}.Sum(weight);");
                }
            }
            else if (_mean)
            {
                _w.Line($"float denominator = {Guard}.Targets(targets, Classes, IgnoreIndex, \"targets\"); // targets not ignored");
            }
            else
            {
                _w.Line($"{Guard}.Targets(targets, Classes, IgnoreIndex, \"targets\");");
            }
        }

        /// <summary>Declares <c>logSum</c> = log sum_j exp(x_j - m) and <c>max</c> = m for the row at <paramref name="offset"/>.</summary>
        private void RowLogSumExp(string offset) =>
            _w.Line($"float logSum = {KM}.RowLogSumExp(logits, {offset}, Classes, out float max); // m = max_j x_j, log sum_j exp(x_j - m)");

        /// <summary>Writes <c>factor * softmax(row)</c> into the row of <c>gradient</c>; declares <c>logSum</c> and <c>max</c>.</summary>
        private void RowSoftmaxInto(string offset, string factor) =>
            _w.Line($"float logSum = {KM}.RowSoftmax(logits, {offset}, Classes, {factor}, gradient, out float max); // g_j = factor * exp(x_j - m) / s");

        /// <summary>Declares (or assigns) <c>loss</c> for an index target, from <c>max</c> and <c>logSum</c>.</summary>
        private void IndexLoss(bool weighted, string offset, bool declare = true)
        {
            string prefix = declare ? "float loss" : "loss";
            string xt = $"logits[{Add(offset, "target")}]";
            string nll = weighted
                ? $"weight[target] * (logSum - ({xt} - max))"
                : $"logSum - ({xt} - max)";
            if (!_smoothing)
            {
                _w.Line($"{prefix} = {nll}; // -w_t log p_t, log p_t = (x_t - m) - log s");
                return;
            }

            _w.Line($"float nll = {nll}; // -w_t log p_t, log p_t = (x_t - m) - log s");
            _w.Line(weighted
                ? $"float smooth = weightSum * logSum - {KM}.DotShifted(weight, logits.Slice({offset}, Classes), max); // -sum_c w_c log p_c"
                : $"float smooth = Classes * logSum - {KM}.SumShifted(logits.Slice({offset}, Classes), max); // -sum_c log p_c");
            _w.Line($"{prefix} = OneMinusSmoothing * nll + SmoothingPerClass * smooth;");
        }

        /// <summary>Declares <c>targetSum</c> = sum_c t'_c for soft targets <c>t</c>.</summary>
        private void SoftTargetSum() =>
            _w.Line(_smoothing
                ? $"float targetSum = OneMinusSmoothing * {KM}.Sum(t) + LabelSmoothing; // sum_c t'_c, t'_c = (1 - e) t_c + e / C"
                : $"float targetSum = {KM}.Sum(t);");

        /// <summary>Declares <c>loss</c> = -sum_c t'_c log p_c for soft targets <c>t</c>, from <c>targetSum</c>, <c>max</c>, <c>logSum</c>.</summary>
        private void SoftLoss()
        {
            if (!_smoothing)
            {
                _w.Line($"float loss = logSum * targetSum - {KM}.DotShifted(t, x, max); // -sum_c t_c log p_c");
                return;
            }

            _w.Line($"float shifted = OneMinusSmoothing * {KM}.DotShifted(t, x, max) + SmoothingPerClass * {KM}.SumShifted(x, max);");
            _w.Line("float loss = logSum * targetSum - shifted; // -sum_c t'_c log p_c");
        }

        private void CheckLength(string parameter, string expected) =>
            _w.Line($"if ({parameter}.Length != {expected}) {Guard}.ThrowLength(\"{parameter}\", {expected}, {parameter}.Length, Batch, Classes);");

        /// <summary>Writes <paramref name="body"/> once per row: unrolled blocks with constant offsets, or one loop.</summary>
        private void Rows(Action<string, string> body, bool blocks = true)
        {
            if (Unrolled(_spec))
            {
                for (int i = 0; i < _spec.Batch; i++)
                {
                    string offset = (i * _spec.Classes).ToString(CultureInfo.InvariantCulture);
                    string index = i.ToString(CultureInfo.InvariantCulture);
                    if (blocks)
                    {
                        _w.Line($"// row {index}: elements [{offset}, {(i + 1) * _spec.Classes})");
                        using (_w.Open())
                        {
                            body(index, offset);
                        }
                    }
                    else
                    {
                        body(index, offset);
                    }
                }
            }
            else
            {
                using (_w.Open("for (int i = 0; i < Batch; i++)"))
                {
                    body("i", "i * Classes");
                }
            }
        }

        private static string Add(string offset, string term) => offset == "0" ? term : $"{offset} + {term}";

        private SourceWriter.Block Method(string signature) => _w.Open(signature);

        private void Doc(string summary, params (string Name, string Text)[] parameters)
        {
            _w.Line($"/// <summary>{summary}</summary>");
            foreach (var (name, text) in parameters)
            {
                _w.Line($"/// <param name=\"{name}\">{text}</param>");
            }
        }
    }
}
