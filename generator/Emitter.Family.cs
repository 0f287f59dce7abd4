using System.Collections.Generic;

namespace FixedShapeLoss.Generator;

// The loss family beside cross-entropy: nn.NLLLoss, nn.BCEWithLogitsLoss and nn.BCELoss for the class's shape and
// element type. Every member checks its spans' lengths and hands the matrix, with the shape and the options as
// constants, to one generic helper of FixedShapeLoss.LossFamily (SIMD over the flat matrix, float or double).
internal static partial class Emitter
{
    private const string Family = "global::FixedShapeLoss.LossFamily";

    internal sealed partial class KernelWriter
    {
        // ------------------------------------------------------------------ nn.NLLLoss

        private string NllReductionDoc => _mean
            ? "Mean: divided by the summed weights of the rows not ignored (NaN if all are)."
            : "Sum of the per-sample losses.";

        private (string Name, string Text)[] NllParams(bool weighted, (string Name, string Text)? destination)
        {
            var list = new List<(string, string)>
            {
                ("logProbabilities", $"{Shape} log-probabilities, row-major."),
                ("targets", "A class index per row, or IgnoreIndex."),
            };
            if (weighted)
            {
                list.Add(("weight", "A weight per class."));
            }

            if (destination is { } d)
            {
                list.Add(d);
            }

            return list.ToArray();
        }

        private static Arg[] NllArgs(bool weighted, Arg? destination) =>
            LossArgs(MatrixIn("logProbabilities"), TargetsIn("targets"), weighted ? "weight" : null, destination);

        private string WeightArgument(bool weighted, string name) => weighted ? name : $"{ReadOnlySpanT}.Empty";

        public void NllLoss(bool weighted) =>
            Kernel(
                new KernelDoc($"<c>torch.nn.NLLLoss</c> on log-probabilities{(weighted ? ", with class weights" : "")}: <c>l_i = -w[t_i] x[i, t_i]</c>. {NllReductionDoc}",
                    NllParams(weighted, destination: null),
                    returns: "The reduced loss."),
                T, "NllLoss", NllArgs(weighted, destination: null),
                () =>
                {
                    _w.Line($"// l_i = -{(weighted ? "w[t_i] " : "")}x[i, t_i], 0 where t_i == IgnoreIndex; {(_mean ? (weighted ? "sum_i l_i / sum_i w[t_i] over the rows not ignored" : "sum_i l_i / the number of rows not ignored") : "sum_i l_i")}");
                    _w.Line($"return {Family}.NllLoss<{T}>(logProbabilities, targets, {WeightArgument(weighted, "weight")}, Classes, IgnoreIndex, Reduction);");
                },
                core: false);

        public void NllLossPerSample() =>
            Kernel(
                new KernelDoc("Per-sample <c>torch.nn.NLLLoss</c> (<c>reduction='none'</c>): <c>losses[i] = -x[i, t_i]</c>, 0 where the target is IgnoreIndex.",
                    NllParams(weighted: false, destination: ("losses", "Receives a loss per row."))),
                "void", "NllLossPerSample", NllArgs(weighted: false, LossesOut("losses")),
                () =>
                {
                    _w.Line("// losses[i] = -x[i, t_i], 0 where t_i == IgnoreIndex");
                    _w.Line($"{Family}.NllLossPerSample<{T}>(logProbabilities, targets, {ReadOnlySpanT}.Empty, Classes, IgnoreIndex, losses);");
                },
                core: false);

        public void NllLossBackward(bool weighted) =>
            Kernel(
                new KernelDoc($"<c>torch.nn.NLLLoss</c>{(weighted ? " with class weights" : "")} and its gradient with respect to the log-probabilities. {NllReductionDoc} "
                    + $"<c>gradient[i, t_i] = -w[t_i] / {(_mean ? "denominator" : "1")}</c>, else 0. In place allowed.",
                    NllParams(weighted, destination: ("gradient", "Receives d loss / d logProbabilities.")),
                    returns: "The reduced loss."),
                T, "NllLossBackward", NllArgs(weighted, MatrixOut("gradient")),
                () =>
                {
                    _w.Line($"// loss as NllLoss; gradient[i, t_i] = -{(weighted ? "w[t_i]" : "1")}{(_mean ? " / denominator" : "")}, every other element 0");
                    _w.Line($"return {Family}.NllLossBackward<{T}>(logProbabilities, targets, {WeightArgument(weighted, "weight")}, Classes, IgnoreIndex, Reduction, gradient);");
                },
                core: false,
                inPlace: true);

        // ------------------------------------------------------------------ nn.BCEWithLogitsLoss

        private string ElementReductionDoc => _mean
            ? "Mean over all Length elements."
            : "Sum over all elements.";

        private (string Name, string Text)[] LogitParams(bool posWeight, (string Name, string Text)? destination)
        {
            var list = new List<(string, string)>
            {
                ("logits", $"{Shape} logits, row-major, one per label."),
                ("targets", "Target probabilities in [0, 1], same shape."),
            };
            if (posWeight)
            {
                list.Add(("posWeight", "<c>pos_weight</c>: a weight per class."));
            }

            if (destination is { } d)
            {
                list.Add(d);
            }

            return list.ToArray();
        }

        private static Arg[] ElementArgs(string input, bool posWeight, string? destination) =>
            LossArgs(MatrixIn(input), MatrixIn("targets"), posWeight ? "posWeight" : null, destination is null ? null : MatrixOut(destination));

        private string WithLogitsFormula(bool posWeight) => posWeight
            ? "l = (1 - y) x + (1 + (p_c - 1) y) softplus(-x), softplus(-x) = max(-x, 0) + log(1 + exp(-|x|))"
            : "l = (1 - y) x + softplus(-x), softplus(-x) = max(-x, 0) + log(1 + exp(-|x|))";

        public void WithLogits(bool posWeight) =>
            Kernel(
                new KernelDoc($"<c>torch.nn.BCEWithLogitsLoss</c>{(posWeight ? " with <c>pos_weight</c>" : "")}: <c>l = (1 - y) x + {(posWeight ? "(1 + (p_c - 1) y) " : "")}log(1 + exp(-x))</c>, without overflow. {ElementReductionDoc}",
                    LogitParams(posWeight, destination: null),
                    returns: "The reduced loss."),
                T, "BinaryCrossEntropyWithLogitsLoss", ElementArgs("logits", posWeight, null),
                () =>
                {
                    _w.Line($"// {WithLogitsFormula(posWeight)}; {(_mean ? "sum / Length" : "sum")}");
                    _w.Line($"return {Family}.BinaryCrossEntropyWithLogitsLoss<{T}>(logits, targets, {WeightArgument(posWeight, "posWeight")}, Classes, Reduction);");
                },
                core: false);

        public void WithLogitsPerElement() =>
            Kernel(
                new KernelDoc("Element-wise <c>torch.nn.BCEWithLogitsLoss</c> (<c>reduction='none'</c>): <c>losses[k] = (1 - y_k) x_k + log(1 + exp(-x_k))</c>.",
                    LogitParams(posWeight: false, destination: ("losses", "Receives the element losses."))),
                "void", "BinaryCrossEntropyWithLogitsLossPerElement", ElementArgs("logits", posWeight: false, "losses"),
                () =>
                {
                    _w.Line($"// {WithLogitsFormula(posWeight: false)}, one per element");
                    _w.Line($"{Family}.BinaryCrossEntropyWithLogitsLossPerElement<{T}>(logits, targets, {ReadOnlySpanT}.Empty, Classes, losses);");
                },
                core: false);

        public void WithLogitsBackward(bool posWeight) =>
            Kernel(
                new KernelDoc($"<c>torch.nn.BCEWithLogitsLoss</c>{(posWeight ? " with <c>pos_weight</c>" : "")} and its gradient with respect to the logits. {ElementReductionDoc} "
                    + $"<c>gradient = {(posWeight ? "(sigmoid(x) (1 + (p_c - 1) y) - p_c y)" : "(sigmoid(x) - y)")}{(_mean ? " / Length" : "")}</c>. In place allowed.",
                    LogitParams(posWeight, destination: ("gradient", "Receives d loss / d logits.")),
                    returns: "The reduced loss."),
                T, "BinaryCrossEntropyWithLogitsLossBackward", ElementArgs("logits", posWeight, "gradient"),
                () =>
                {
                    _w.Line($"// loss as BinaryCrossEntropyWithLogitsLoss; dl/dx = {(posWeight ? "sigmoid(x) (1 + (p_c - 1) y) - p_c y" : "sigmoid(x) - y")}{(_mean ? ", times 1 / Length" : "")}");
                    _w.Line($"return {Family}.BinaryCrossEntropyWithLogitsLossBackward<{T}>(logits, targets, {WeightArgument(posWeight, "posWeight")}, Classes, Reduction, gradient);");
                },
                core: false,
                inPlace: true);

        // ------------------------------------------------------------------ nn.BCELoss

        private (string Name, string Text)[] ProbabilityParams((string Name, string Text)? destination)
        {
            var list = new List<(string, string)>
            {
                ("probabilities", $"{Shape} probabilities in [0, 1], row-major."),
                ("targets", "Target probabilities in [0, 1], same shape."),
            };
            if (destination is { } d)
            {
                list.Add(d);
            }

            return list.ToArray();
        }

        private const string BceFormula = "l = -(y max(log x, -100) + (1 - y) max(log(1 - x), -100))";

        private const string BceThrows = "/// <exception cref=\"global::System.ArgumentOutOfRangeException\">An element is outside [0, 1] or NaN (nothing is written).</exception>";

        public void Bce() =>
            Kernel(
                new KernelDoc($"<c>torch.nn.BCELoss</c> on probabilities, element-wise: <c>{BceFormula}</c>. {ElementReductionDoc}",
                    ProbabilityParams(destination: null),
                    returns: "The reduced loss.",
                    exception: BceThrows),
                T, "BinaryCrossEntropyLoss", ElementArgs("probabilities", posWeight: false, null),
                () =>
                {
                    _w.Line($"// {BceFormula}; {(_mean ? "sum / Length" : "sum")}");
                    _w.Line($"return {Family}.BinaryCrossEntropyLoss<{T}>(probabilities, targets, Reduction);");
                },
                core: false);

        public void BcePerElement() =>
            Kernel(
                new KernelDoc($"Element-wise <c>torch.nn.BCELoss</c> (<c>reduction='none'</c>): <c>{BceFormula}</c>.",
                    ProbabilityParams(destination: ("losses", "Receives the element losses.")),
                    exception: BceThrows),
                "void", "BinaryCrossEntropyLossPerElement", ElementArgs("probabilities", posWeight: false, "losses"),
                () =>
                {
                    _w.Line($"// {BceFormula}, one per element");
                    _w.Line($"{Family}.BinaryCrossEntropyLossPerElement<{T}>(probabilities, targets, losses);");
                },
                core: false);

        public void BceBackward() =>
            Kernel(
                new KernelDoc($"<c>torch.nn.BCELoss</c> and its gradient with respect to the probabilities. {ElementReductionDoc} "
                    + $"<c>gradient = (x - y) / max((1 - x) x, 1e-12f){(_mean ? " / Length" : "")}</c>. In place allowed.",
                    ProbabilityParams(destination: ("gradient", "Receives d loss / d probabilities.")),
                    returns: "The reduced loss.",
                    exception: BceThrows),
                T, "BinaryCrossEntropyLossBackward", ElementArgs("probabilities", posWeight: false, "gradient"),
                () =>
                {
                    _w.Line($"// loss as BinaryCrossEntropyLoss; dl/dx = (x - y) / max((1 - x) x, 1e-12f){(_mean ? ", times 1 / Length" : "")}");
                    _w.Line($"return {Family}.BinaryCrossEntropyLossBackward<{T}>(probabilities, targets, Reduction, gradient);");
                },
                core: false,
                inPlace: true);
    }
}
