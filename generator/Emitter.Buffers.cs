using System;
using System.Collections.Generic;
using System.Linq;

namespace FixedShapeLoss.Generator;

// Buffers that carry the shape: inline arrays (C# 12, .NET 8) of one matrix, one class index per row and one loss per
// row, and an overload of each kernel that takes them (inputs by in, outputs by ref) with no length check, since the
// type is the proof. Both overloads of a kernel run the same code after their checks: a private core for the
// cross-entropy members, the LossFamily helper for the loss family. The target range is a value, not a length: the
// core or helper checks it for both.
internal static partial class Emitter
{
    /// <summary>The nested inline array of one matrix: <c>Length</c> elements of the kernel's element type.</summary>
    public const string MatrixTypeName = "Matrix";

    /// <summary>The nested inline array of one class index per row: <c>Batch</c> ints.</summary>
    public const string TargetsTypeName = "Targets";

    /// <summary>The nested inline array of one loss per row: <c>Batch</c> elements of the kernel's element type.</summary>
    public const string SampleLossesTypeName = "SampleLosses";

    /// <summary>The largest inline array the runtime loads (1 MiB, enforced from .NET 9: a larger one is a
    /// TypeLoadException when used). Shapes whose matrix is larger get the span overloads only.</summary>
    public const long MaxBufferBytes = 1L << 20;

    /// <summary>Whether the kernel class gets the buffer types and their overloads.</summary>
    public static bool Buffers(KernelSpec spec) =>
        spec.InlineArrays && (long)spec.Length * (spec.ElementType == KernelElementType.Double ? 8 : 4) <= MaxBufferBytes;

    /// <summary>How many elements a span parameter holds.</summary>
    private enum Extent
    {
        /// <summary><c>Length</c>: one matrix.</summary>
        Matrix,

        /// <summary><c>Batch</c>: one per row.</summary>
        Row,

        /// <summary><c>Classes</c>: one per class (weights; no buffer type).</summary>
        Class,
    }

    /// <summary>One span parameter of a kernel: its name, extent, element (<c>int</c> or <c>T</c>) and direction.</summary>
    private readonly struct Arg
    {
        public Arg(string name, Extent extent, bool integer, bool output)
        {
            Name = name;
            Extent = extent;
            Integer = integer;
            Output = output;
        }

        public string Name { get; }

        public Extent Extent { get; }

        public bool Integer { get; }

        public bool Output { get; }

        /// <summary>The constant its length must equal.</summary>
        public string Expected => Extent switch
        {
            Extent.Matrix => "Length",
            Extent.Row => "Batch",
            _ => "Classes",
        };

        /// <summary>Its buffer type, or null where there is none (a per-class weight).</summary>
        public string? Buffer => Extent switch
        {
            Extent.Matrix => MatrixTypeName,
            Extent.Row => Integer ? TargetsTypeName : SampleLossesTypeName,
            _ => null,
        };
    }

    /// <summary>The documentation of a kernel: summary, parameters, and the optional returns and exception lines.</summary>
    private sealed class KernelDoc
    {
        public KernelDoc(string summary, (string Name, string Text)[] parameters, string? returns = null, string? exception = null)
        {
            Summary = summary;
            Parameters = parameters;
            Returns = returns;
            Exception = exception;
        }

        public string Summary { get; }

        public (string Name, string Text)[] Parameters { get; }

        public string? Returns { get; }

        public string? Exception { get; }
    }

    internal sealed partial class KernelWriter
    {
        private static Arg MatrixIn(string name) => new(name, Extent.Matrix, integer: false, output: false);

        private static Arg MatrixOut(string name) => new(name, Extent.Matrix, integer: false, output: true);

        private static Arg TargetsIn(string name) => new(name, Extent.Row, integer: true, output: false);

        private static Arg TargetsOut(string name) => new(name, Extent.Row, integer: true, output: true);

        private static Arg LossesOut(string name) => new(name, Extent.Row, integer: false, output: true);

        private static Arg WeightIn(string name) => new(name, Extent.Class, integer: false, output: false);

        private string SpanType(Arg a) => a.Integer
            ? (a.Output ? SpanInt : ReadOnlySpanInt)
            : (a.Output ? SpanT : ReadOnlySpanT);

        /// <summary>Whether this class gets the buffer types and their overloads.</summary>
        private bool WithBuffers => Buffers(_spec);

        /// <summary>The buffer types: one matrix, one class index per row, one loss per row.</summary>
        public void BufferTypes()
        {
            if (!WithBuffers)
            {
                return;
            }

            BufferType(MatrixTypeName, T, "Length",
                $"One {Shape} matrix of <c>{T}</c>, row-major (element <c>[i * Classes + j]</c> is row i, class j), stored inline (a local, a field, no array).");
            BufferType(TargetsTypeName, "int", "Batch",
                "One class index per row (a target or a label: in [0, Classes), or IgnoreIndex where the kernel skips a row), stored inline.");
            BufferType(SampleLossesTypeName, T, "Batch",
                $"One <c>{T}</c> per row (the per-sample losses), stored inline.");
        }

        private void BufferType(string name, string element, string length, string what)
        {
            _w.Line();
            _w.Line($"/// <summary>{what}");
            _w.Line("/// The kernels' overloads that take it check no length: its type is the proof. A variable of it converts to");
            _w.Line($"/// <c>Span&lt;{element}&gt;</c> and <c>ReadOnlySpan&lt;{element}&gt;</c> (<c>Span&lt;{element}&gt; s = buffer;</c>) and indexes like one.</summary>");
            _w.Line($"[global::System.Runtime.CompilerServices.InlineArray({length})]");
            using (_w.Open($"public struct {name}"))
            {
                _w.Line($"private {element} _element0;");
                _w.Line();
                _w.Line($"/// <summary>The {length} elements as a span over this variable.</summary>");
                _w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
                _w.Line($"public global::System.Span<{element}> AsSpan() => this;");
                _w.Line();
                _w.Line($"/// <summary>The {length} elements as a read-only span over this variable.</summary>");
                _w.Line("[global::System.Diagnostics.CodeAnalysis.UnscopedRef]");
                _w.Line($"public readonly global::System.ReadOnlySpan<{element}> AsReadOnlySpan() => this;");
            }
        }

        /// <summary>
        /// Writes one kernel: the span overload (a length check per span, then the work), and where every parameter has
        /// a buffer type and this class gets buffers, the buffer overload (no length check, then the same work).
        /// <paramref name="body"/> writes the work after the length checks: with <paramref name="core"/> it goes into a
        /// private <c>{name}Core</c> that both overloads call (inlined into them, so the span overload costs what it
        /// did), else it is written into both (a single call of a shared helper).
        /// </summary>
        private void Kernel(KernelDoc doc, string returns, string name, Arg[] args, Action body, bool core = true, bool inPlace = false)
        {
            bool buffer = WithBuffers && args.All(a => a.Buffer is not null);
            bool callCore = buffer && core;
            string call = $"{(returns == "void" ? "" : "return ")}{name}Core({string.Join(", ", args.Select(a => a.Name))});";
            void Work()
            {
                if (callCore)
                {
                    _w.Line(call);
                }
                else
                {
                    body();
                }
            }

            _w.Line();
            WriteDoc(doc, extra: null);
            using (Method($"public static {returns} {name}({string.Join(", ", args.Select(a => $"{SpanType(a)} {a.Name}"))})"))
            {
                foreach (var a in args)
                {
                    CheckLength(a.Name, a.Expected);
                }

                Work();
            }

            if (!buffer)
            {
                return;
            }

            _w.Line();
            var outputs = args.Where(a => a.Output).Select(a => $"<paramref name=\"{a.Name}\"/>").ToList();
            WriteDoc(doc, "Buffer overload: no length check, the types carry the shape."
                + (inPlace ? $" In place: pass one variable as <paramref name=\"{args[0].Name}\"/> and {outputs[0]}." : ""));
            using (Method($"public static {returns} {name}({string.Join(", ", args.Select(a => $"{(a.Output ? "ref" : "in")} {a.Buffer} {a.Name}"))})"))
            {
                var types = args.Select(a => a.Buffer!).Distinct().ToList();
                string named = types.Count == 1 ? types[0] + " holds" : string.Join(", ", types.Take(types.Count - 1)) + " and " + types[types.Count - 1] + " hold";
                _w.Line($"// No length check: {named} exactly the elements this kernel takes.");
                Work();
            }

            if (!callCore)
            {
                return;
            }

            _w.Line();
            var indices = args.Where(a => a.Integer && !a.Output).Select(a => $"<c>{a.Name}</c>").ToList();
            string values = name == "Labels" ? " The check that each row is one-hot is here, for both."
                : indices.Count > 0 ? $" The range check of {string.Join(" and ", indices)} is here, for both: the types prove lengths, not values."
                : string.Empty;
            _w.Line($"/// <summary>The work of <c>{name}</c> after the length checks, shared by the span overload (which checks the lengths)");
            _w.Line($"/// and the buffer overload (whose types need none).{values}</summary>");
            _w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (Method($"private static {returns} {name}Core({string.Join(", ", args.Select(a => $"{SpanType(a)} {a.Name}"))})"))
            {
                body();
            }
        }

        private void WriteDoc(KernelDoc doc, string? extra)
        {
            Doc(extra is null ? doc.Summary : doc.Summary + " " + extra, doc.Parameters);
            if (doc.Returns is not null)
            {
                _w.Line($"/// <returns>{doc.Returns}</returns>");
            }

            if (doc.Exception is not null)
            {
                _w.Line(doc.Exception);
            }
        }

        /// <summary>The span parameters of a loss: its input, its targets, an optional per-class weight, an optional output.</summary>
        private static Arg[] LossArgs(Arg input, Arg targets, string? weight, Arg? destination)
        {
            var list = new List<Arg> { input, targets };
            if (weight is not null)
            {
                list.Add(WeightIn(weight));
            }

            if (destination is { } d)
            {
                list.Add(d);
            }

            return list.ToArray();
        }

        /// <summary>The span parameters of a cross-entropy kernel with index targets.</summary>
        private static Arg[] IndexArgs(bool weighted, Arg? destination) =>
            LossArgs(MatrixIn("logits"), TargetsIn("targets"), weighted ? "weight" : null, destination);
    }
}
