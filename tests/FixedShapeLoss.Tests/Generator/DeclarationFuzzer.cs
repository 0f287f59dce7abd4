using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// A seeded generator of <c>[LossKernel]</c> declarations, valid and broken: namespaces of every form, nesting in
/// classes, structs, records and interfaces, accessibility, keyword and Unicode names, constant expressions,
/// every option (ElementType float, double and others), user members that clash with generated ones or coexist
/// as overloads, base classes, attribute spellings, duplicate and positional arguments, C# 7.3 to preview,
/// nullable on and off, and token-level mutations. Each variant also says what the generator must report:
/// the FSL IDs it expects, written from the defects it put in (not from the generator), or that the compiler
/// reports the input. Variant <c>i</c> of seed <c>s</c> is the same on every run.
/// </summary>
internal static class DeclarationFuzzer
{
    public sealed class Kernel
    {
        public string Name = "Loss";
        public string? Namespace;
        public List<string> Containers = new();
        public int Batch;
        public int Classes;
        public string Reduction = "Mean";
        public float LabelSmoothing;
        public int IgnoreIndex = -100;
        public bool Double;
    }

    public sealed class Variant
    {
        public int Index;
        public LanguageVersion Version;
        public bool Nullable;

        /// <summary>The project checks arithmetic overflow (<c>CheckForOverflowUnderflow</c>).</summary>
        public bool CheckOverflow;
        public List<string> Sources = new();

        /// <summary>The FSL IDs the generator must report, with their counts.</summary>
        public List<string> ExpectedFsl = new();

        /// <summary>The input has a compiler error of its own (so generated files may be missing).</summary>
        public bool CompilerError;

        /// <summary>A token of the source was deleted, duplicated or swapped: only the general rule is checked.</summary>
        public bool TokenMutated;

        /// <summary>The input has a defect whose FSL IDs the fuzzer does not predict: only the general rule is checked.</summary>
        public bool Lenient;

        /// <summary>The kernels that must be generated (when no FSL ID and no compiler error is expected).</summary>
        public List<Kernel> Kernels = new();

        public List<string> Notes = new();

        public override string ToString() =>
            $"variant {Index} (C# {Version}, nullable {(Nullable ? "on" : "off")}{(CheckOverflow ? ", checked" : string.Empty)}; {string.Join("; ", Notes)}); expected [{string.Join(", ", ExpectedFsl)}]"
            + (CompilerError ? " + compiler error" : string.Empty) + (Lenient ? " + lenient" : string.Empty) + (TokenMutated ? " + token mutation" : string.Empty)
            + "\n" + string.Join("\n// ---- next file ----\n", Sources);
    }

    private static readonly LanguageVersion[] s_versions =
    {
        LanguageVersion.CSharp7_3, LanguageVersion.CSharp8, LanguageVersion.CSharp9, LanguageVersion.CSharp10,
        LanguageVersion.CSharp11, LanguageVersion.CSharp12, LanguageVersion.Latest, LanguageVersion.Preview,
    };

    private static readonly string[] s_plainNames = { "Loss", "Kernel4x7", "K", "loss", "Perte_Λ", "\u216Bloss", "e\u0301", "a\u203Fb", "_", "__k", "Loss\u0662" };
    private static readonly string[] s_keywordNames = { "@class", "@event", "@static", "@Loss" };
    private static readonly string[] s_reservedClassNames = { "Batch", "Softmax", "Length", "CrossEntropyLoss", "LossKernelShape", "NllLoss", "OneMinusSmoothing", "Matrix", "Targets" };
    private static readonly string[] s_namespaceNames = { "Consumer", "A.B", "Données.Modèles", "@event.@checked", "N1.N2.N3", "Loss" };

    /// <param name="doubleKernels">Whether the emitter writes double kernels (ElementType = typeof(double)) yet; until it
    /// does, a double kernel gets only user members whose clash does not depend on the element type, and the
    /// oracle does not look for double spans (<see cref="Kernel.Double"/> is then false).</param>
    public static Variant Create(int seed, int index, bool doubleKernels = true)
    {
        var random = new Random(unchecked((seed * 1_000_003) ^ index));
        var v = new Variant { Index = index, Version = s_versions[random.Next(s_versions.Length)] };
        int version = Number(v.Version);
        v.Nullable = version >= 8 && random.Next(2) == 0;
        v.CheckOverflow = random.Next(4) == 0;

        var kernel = new Kernel();
        var header = new StringBuilder("using System;\nusing FixedShapeLoss;\n");
        bool aliasAttribute = random.Next(8) == 0;
        if (aliasAttribute)
        {
            header.Append("using LK = FixedShapeLoss.LossKernelAttribute;\n");
        }

        // Class name.
        int nameKind = random.Next(20);
        kernel.Name = nameKind < 15 ? s_plainNames[random.Next(s_plainNames.Length)]
            : nameKind < 18 ? s_keywordNames[random.Next(s_keywordNames.Length)]
            : s_reservedClassNames[random.Next(s_reservedClassNames.Length)];
        if (nameKind >= 18)
        {
            v.ExpectedFsl.Add("FSL013");
            v.Notes.Add("class named like a generated member");
        }

        // Namespace.
        int nsKind = random.Next(5);
        string? ns = nsKind == 0 ? null : s_namespaceNames[random.Next(s_namespaceNames.Length)];
        bool fileScoped = ns is not null && version >= 10 && random.Next(2) == 0;
        bool nestedNamespaces = ns is not null && !fileScoped && ns.Contains('.') && random.Next(2) == 0;
        kernel.Namespace = ns;

        // Containing types.
        int depth = random.Next(4) == 0 ? random.Next(1, 3) : 0;
        var containers = new List<(string Open, string Name)>();
        bool fileLocal = false;
        bool protectedAllowed = false;
        for (int d = 0; d < depth; d++)
        {
            var kinds = new List<string> { "class", "static class", "struct" };
            if (version >= 8)
            {
                kinds.Add("interface");
            }

            if (version >= 9)
            {
                kinds.Add("record");
            }

            if (version >= 10)
            {
                kinds.Add("record struct");
            }

            string kind = kinds[random.Next(kinds.Count)];
            string name = "Outer" + d.ToString(CultureInfo.InvariantCulture) + (random.Next(6) == 0 ? "_Λ" : string.Empty);
            bool partial = random.Next(12) != 0;
            bool generic = random.Next(14) == 0;
            string modifiers = string.Empty;
            if (d == 0 && version >= 11 && random.Next(14) == 0)
            {
                modifiers = "file ";
                fileLocal = true;
                v.Notes.Add("file-local containing type");
            }
            else if (random.Next(2) == 0)
            {
                modifiers = "public ";
            }

            if (!partial)
            {
                v.ExpectedFsl.Add("FSL004");
                v.Notes.Add("containing type not partial");
            }

            if (generic)
            {
                v.ExpectedFsl.Add("FSL005");
                v.Notes.Add("generic containing type");
            }

            string open = kind.Replace("static class", "static partial class");
            open = partial ? (open.StartsWith("static", StringComparison.Ordinal) ? open : "partial " + open) : kind;
            containers.Add(($"{modifiers}{open} {name}{(generic ? "<TOuter>" : string.Empty)}", name));
            kernel.Containers.Add(name);
            protectedAllowed = kind is "class" or "record" or "static class";
        }

        // Class modifiers.
        bool recordClass = version >= 9 && random.Next(25) == 0;
        bool isStatic = !recordClass && random.Next(10) < 7;
        var access = new List<string> { string.Empty, "public ", "internal " };
        if (depth > 0)
        {
            access.Add("private ");
            if (protectedAllowed && !containers[depth - 1].Open.Contains("static", StringComparison.Ordinal))
            {
                access.AddRange(new[] { "protected ", "protected internal ", "private protected " });
            }
        }

        string classAccess = access[random.Next(access.Count)];
        bool partialClass = random.Next(14) != 0;
        if (!partialClass)
        {
            v.ExpectedFsl.Add("FSL003");
            v.Notes.Add("class not partial");
        }

        bool genericClass = random.Next(16) == 0;
        if (genericClass)
        {
            v.ExpectedFsl.Add("FSL005");
            v.Notes.Add("generic class");
        }

        bool fileClass = depth == 0 && version >= 11 && random.Next(25) == 0;

        // The element type, drawn here as the base classes depend on it.
        int elementChoice = random.Next(8);
        bool doubleSpec = elementChoice < 3;

        // Base class (non-static classes only).
        string baseList = string.Empty;
        string baseDeclaration = string.Empty;
        if (!isStatic && !recordClass && random.Next(3) == 0)
        {
            int baseChoice = random.Next(6);
            switch (doubleSpec && !doubleKernels && baseChoice == 3 ? 0 : baseChoice)
            {
                case 0:
                    baseList = " : global::System.Exception";
                    break;
                case 1:
                    baseList = " : global::System.IO.MemoryStream";
                    v.ExpectedFsl.Add("FSL014");
                    v.Notes.Add("base class with Length");
                    break;
                case 2:
                    baseList = " : KernelBase";
                    baseDeclaration = "public class KernelBase { public static int Helper() => 1; private static int Batch = 1; public static int Get() => Batch; }\n";
                    break;
                case 3:
                    baseList = " : KernelBase";
                    baseDeclaration = "public class KernelBase { protected int Length() => 0; public static void Softmax(ReadOnlySpan<float> a, Span<float> b) { } }\n";
                    v.ExpectedFsl.Add("FSL014");
                    v.Notes.Add("base class with Length() and Softmax(float)");
                    break;
                case 4:
                    baseList = " : KernelBase";
                    baseDeclaration = "public abstract class KernelBase { public static void Softmax<T>(ReadOnlySpan<float> a, Span<float> b) { } public void Normalize(ref Span<float> v) { } }\n";
                    break;
                default:
                    baseList = " : KernelBase";
                    baseDeclaration = "public class KernelBase<T> { public static int Softmax; }\npublic class KernelBase : KernelBase<int> { }\n";
                    v.ExpectedFsl.Add("FSL014");
                    v.Notes.Add("inherited field Softmax");
                    break;
            }
        }

        // Attribute arguments.
        string constantsDeclaration = string.Empty;
        var arguments = new List<string>();
        bool attributeCompilerError = false;
        kernel.Batch = random.Next(5) == 0 ? random.Next(1, 300) : random.Next(1, 9);
        kernel.Classes = random.Next(6) == 0 ? random.Next(2, 1200) : random.Next(1, 21); // 1: a single binary output
        string batchExpression = Expression(random, kernel.Batch, version);
        string classesExpression = Expression(random, kernel.Classes, version);
        string constants = string.Empty;
        if (random.Next(8) == 0)
        {
            // Constants declared elsewhere, or in the kernel class itself (bound outside it, so qualified).
            bool own = !genericClass && !recordClass && random.Next(2) == 0;
            string owner = own ? kernel.Name : "Shapes";
            batchExpression = $"{owner}.Rows";
            classesExpression = $"{owner}.Columns * 1";
            constants = $"public const int Rows = {kernel.Batch}; public const int Columns = {kernel.Classes};";
            if (!own)
            {
                constantsDeclaration = $"internal static class Shapes {{ {constants} }}\n";
                constants = string.Empty;
            }

            v.Notes.Add("shape from constants");
        }
        int shapeDefect = random.Next(30);
        switch (shapeDefect)
        {
            case 0:
                batchExpression = random.Next(2) == 0 ? "0" : "-3";
                v.ExpectedFsl.Add("FSL001");
                break;
            case 1:
                classesExpression = random.Next(2) == 0 ? "0" : "-1";
                v.ExpectedFsl.Add("FSL002");
                break;
            case 2:
                batchExpression = null!;
                v.ExpectedFsl.Add("FSL001");
                break;
            case 3:
                classesExpression = null!;
                v.ExpectedFsl.Add("FSL002");
                break;
            case 4:
                batchExpression = "int.MaxValue";
                classesExpression = "3";
                v.ExpectedFsl.Add("FSL006");
                break;
        }

        if (batchExpression is not null)
        {
            arguments.Add("Batch = " + batchExpression);
        }

        if (classesExpression is not null)
        {
            arguments.Add("Classes = " + classesExpression);
        }

        if (shapeDefect >= 2 && shapeDefect <= 3)
        {
            v.Notes.Add("missing shape argument");
        }

        switch (random.Next(8))
        {
            case 0:
                arguments.Add("Reduction = LossReduction.Mean");
                break;
            case 1:
                arguments.Add("Reduction = LossReduction.Sum");
                kernel.Reduction = "Sum";
                break;
            case 2:
                arguments.Add("Reduction = (LossReduction)1");
                kernel.Reduction = "Sum";
                break;
            case 3 when random.Next(3) == 0:
                arguments.Add("Reduction = (LossReduction)" + (random.Next(2) == 0 ? "2" : "(-1)"));
                v.ExpectedFsl.Add("FSL009");
                break;
        }

        switch (random.Next(10))
        {
            case 0:
                arguments.Add("LabelSmoothing = 0.1f");
                kernel.LabelSmoothing = 0.1f;
                break;
            case 1:
                arguments.Add("LabelSmoothing = 1");
                kernel.LabelSmoothing = 1f;
                break;
            case 2:
                arguments.Add("LabelSmoothing = (float)0.25");
                kernel.LabelSmoothing = 0.25f;
                break;
            case 3:
                arguments.Add("LabelSmoothing = 0f");
                break;
            case 4 when random.Next(3) == 0:
                arguments.Add("LabelSmoothing = " + (random.Next(3) switch { 0 => "1.5f", 1 => "-0.1f", _ => "float.NaN" }));
                v.ExpectedFsl.Add("FSL008");
                break;
            case 5 when random.Next(3) == 0:
                arguments.Add("LabelSmoothing = 0.1"); // a double: CS0664
                attributeCompilerError = true;
                break;
        }

        switch (random.Next(6))
        {
            case 0:
                arguments.Add("IgnoreIndex = 0");
                kernel.IgnoreIndex = 0;
                break;
            case 1:
                arguments.Add("IgnoreIndex = int.MinValue");
                kernel.IgnoreIndex = int.MinValue;
                break;
        }

        switch (elementChoice)
        {
            case 0:
            case 1:
                arguments.Add("ElementType = typeof(double)");
                kernel.Double = doubleKernels;

                break;
            case 2:
                arguments.Add("ElementType = typeof(System.Double)");
                kernel.Double = doubleKernels;

                break;
            case 3:
                arguments.Add("ElementType = typeof(float)");
                break;
            case 4 when random.Next(2) == 0:
                arguments.Add("ElementType = " + (random.Next(5) switch { 0 => "typeof(int)", 1 => "typeof(string)", 2 => "typeof(float?)", 3 => "typeof(System.Collections.Generic.List<>)", _ => "null" }));
                v.ExpectedFsl.Add("FSL012");
                break;
            case 5 when random.Next(3) == 0:
                arguments.Add("ElementType = typeof(dynamic)"); // CS1962
                attributeCompilerError = true;
                break;
        }

        Shuffle(random, arguments);

        // Arguments the compiler reports.
        switch (random.Next(40))
        {
            case 0:
                arguments.Insert(0, kernel.Batch.ToString(CultureInfo.InvariantCulture)); // positional: CS1729
                attributeCompilerError = true;
                v.Notes.Add("positional argument");
                break;
            case 1 when batchExpression is not null:
                arguments.Add("Batch = 0"); // duplicate: CS0643
                attributeCompilerError = true;
                v.Notes.Add("duplicate argument");
                break;
            case 2:
                arguments.Add("Bacth = 4"); // CS0246 / CS0103
                attributeCompilerError = true;
                v.Notes.Add("misspelled argument");
                break;
            case 3:
                arguments.Add("Classes = \"7\""); // CS0029 (and a duplicate)
                attributeCompilerError = true;
                break;
            case 4:
                arguments.Add("IgnoreIndex = int.MaxValue + 1"); // CS0220
                attributeCompilerError = true;
                break;
        }

        string attributeName = aliasAttribute ? "LK" : random.Next(6) switch
        {
            0 => "LossKernelAttribute",
            1 => "global::FixedShapeLoss.LossKernel",
            2 => "FixedShapeLoss.LossKernelAttribute",
            _ => "LossKernel",
        };
        string attributeText = arguments.Count == 0 && random.Next(2) == 0 ? attributeName : $"{attributeName}({string.Join(", ", arguments)})";
        string attributeList = random.Next(6) switch
        {
            0 => $"[type: {attributeText}]",
            1 => $"[System.Serializable, {attributeText}]",
            _ => $"[{attributeText}]",
        };
        if (random.Next(10) == 0)
        {
            attributeList += "\n[System.CodeDom.Compiler.GeneratedCode(\"user\", \"1.0\")]";
            v.Notes.Add("user's [GeneratedCode]");
        }

        if (random.Next(16) == 0)
        {
            attributeList += "\n[System.Obsolete(\"old\")]";
            v.Notes.Add("[Obsolete] class");
        }

        if (random.Next(40) == 0)
        {
            // CS0579: the compiler reports the second attribute; the first decides. Only the general rule is checked.
            attributeList += "\n[LossKernel(Batch = 3, Classes = 3)]";
            v.Notes.Add("two [LossKernel]");
            v.Lenient = true;
        }

        // Members.
        var members = new List<string>();
        var memberNames = new HashSet<string>(StringComparer.Ordinal);
        string t = kernel.Double ? "double" : "float";
        string other = kernel.Double ? "float" : "double";
        var coexisting = new (string Name, string Text)[]
        {
            ("Helper", "public static int Helper() => 1;"),
            ("Normalize", "public static void Normalize(ref Span<float> values) { }"),
            ("Softmax", $"public static void Softmax(in ReadOnlySpan<{t}> logits, Span<{t}> destination) {{ }}"),
            ("Softmax", $"public static void Softmax<T>(ReadOnlySpan<{t}> logits, Span<{t}> destination) {{ }}"),
            ("LogSoftmax", $"public static void LogSoftmax(ReadOnlySpan<{other}> logits, Span<{other}> destination) {{ }}"),
            ("CrossEntropyLoss", $"public static {t} CrossEntropyLoss(ReadOnlySpan<{t}> logits, ReadOnlySpan<long> targets) => 0;"),
            ("OneHot", $"public static void OneHot(ReadOnlySpan<int> labels, Span<{t}> destination, int extra) {{ }}"),
            ("NllLoss", $"public static void NllLoss(Span<{t}> values) {{ }}"),
            ("_", $"private static {t} _;"),
            ("var", "private class var { }"),
        };
        var clashing = new (string Name, string Text)[]
        {
            ("Batch", "public static int Batch;"),
            ("Batch", "public static void Batch() { }"),
            ("Length", "internal static int Length() => 0;"),
            ("IgnoreIndex", "private static int IgnoreIndex(int x) => x;"),
            ("LossKernelShape", "private static void LossKernelShape() { }"),
            ("SmoothingPerClass", "private static int SmoothingPerClass;"),
            ("OneMinusSmoothing", "private const float OneMinusSmoothing = 1f;"),
            ("Labels", "public class Labels { }"),
            ("Matrix", "public struct Matrix { }"),
            ("SampleLosses", "private static int SampleLosses;"),
            ("SoftmaxCore", $"private static void SoftmaxCore(ReadOnlySpan<{t}> x, Span<{t}> y) {{ }}"),
            ("Softmax", "public static int Softmax => 0;"),
            ("Normalize", $"public static void Normalize(Span<{t}> values) {{ }}"),
            ("CrossEntropyLoss", $"public static {t} CrossEntropyLoss(ReadOnlySpan<{t}> x, ReadOnlySpan<int> t) => 0;"),
            ("NllLoss", $"public static {t} NllLoss(ReadOnlySpan<{t}> x, ReadOnlySpan<int> t) => 0;"),
            ("BinaryCrossEntropyLossBackward", $"public static {t} BinaryCrossEntropyLossBackward(ReadOnlySpan<{t}> p, ReadOnlySpan<{t}> y, Span<{t}> g) => 0;"),
        };
        int memberCount = random.Next(4);
        for (int m = 0; m < memberCount; m++)
        {
            bool clash = random.Next(6) == 0;
            var (name, text) = clash ? clashing[random.Next(clashing.Length)] : coexisting[random.Next(coexisting.Length)];
            bool typed = text.Contains("Span<", StringComparison.Ordinal) && !text.Contains("ref Span", StringComparison.Ordinal) && !text.Contains("<T>", StringComparison.Ordinal);
            if (memberNames.Contains(name) || name == kernel.Name || (doubleSpec && !doubleKernels && typed))
            {
                continue;
            }

            memberNames.Add(name);
            members.Add(text);
            if (clash)
            {
                v.ExpectedFsl.Add("FSL007");
                v.Notes.Add("clashing member " + name);
            }
        }

        if (constants.Length > 0)
        {
            members.Add(constants);
        }

        // A member in a second part of the class, in another file.
        bool secondPart = partialClass && !recordClass && !genericClass && !v.ExpectedFsl.Contains("FSL004") && !fileClass && !fileLocal && random.Next(8) == 0 && members.Count > 0;
        var secondPartMembers = new List<string>();
        if (secondPart)
        {
            secondPartMembers.Add(members[^1]);
            members.RemoveAt(members.Count - 1);
        }

        // The kernel declaration.
        string classKeyword = recordClass ? "record" : "class";
        if (recordClass)
        {
            v.Notes.Add("record");
        }

        if (fileClass)
        {
            v.Notes.Add("file-local class");
        }

        string classModifiers = (fileClass ? "file " : classAccess) + (isStatic ? "static " : string.Empty) + (!isStatic && !recordClass ? random.Next(10) switch { 0 => "sealed ", 1 => "abstract ", 2 => "unsafe ", _ => string.Empty } : string.Empty) + (partialClass ? "partial " : string.Empty);
        string classDeclaration = $"{attributeList}\n{classModifiers}{classKeyword} {kernel.Name}{(genericClass ? "<TKernel>" : string.Empty)}{baseList}\n{{\n"
            + string.Concat(members.Select(m => "    " + m + "\n")) + "}\n";

        // Second kernel: a sibling, one differing only in case, or one in a namespace spelled like a class.
        string? sibling = null;
        Kernel? siblingKernel = null;
        int siblingKind = random.Next(10);
        if (siblingKind < 2 && !fileClass)
        {
            siblingKernel = new Kernel
            {
                Name = siblingKind == 0 ? "Sibling" : kernel.Name.ToUpperInvariant() == kernel.Name ? kernel.Name.ToLowerInvariant() : kernel.Name.ToUpperInvariant(),
                Namespace = ns,
                Containers = kernel.Containers,
                Batch = 2,
                Classes = 3,
            };
            if (siblingKernel.Name == kernel.Name || siblingKernel.Name.StartsWith('@') || s_reservedClassNames.Contains(siblingKernel.Name) || kernel.Name.StartsWith('@'))
            {
                siblingKernel.Name = "Sibling";
            }

            sibling = $"[LossKernel(Batch = 2, Classes = 3)]\n{(depth > 0 ? string.Empty : "public ")}static partial class {siblingKernel.Name} {{ }}\n";
            v.Notes.Add("sibling " + siblingKernel.Name);
        }

        // Assemble the file: namespace, containers, class.
        var body = new StringBuilder();
        string inner = classDeclaration + (sibling ?? string.Empty);
        for (int d = depth - 1; d >= 0; d--)
        {
            inner = $"{containers[d].Open}\n{{\n{Indent(inner)}}}\n";
        }

        baseDeclaration += constantsDeclaration;

        // Types named like contextual keywords the generated code could use: 'var', and '_' (the discard).
        if (random.Next(12) == 0)
        {
            baseDeclaration += random.Next(2) == 0 || kernel.Name == "_" ? "internal class var { }\n" : "internal class _ { }\n";
            v.Notes.Add("type named var or _");
        }

        if (ns is null)
        {
            body.Append(baseDeclaration).Append(inner);
        }
        else if (fileScoped)
        {
            body.Append($"namespace {ns};\n\n").Append(baseDeclaration).Append(inner);
        }
        else if (nestedNamespaces)
        {
            var parts = ns.Split('.');
            string text = baseDeclaration + inner;
            for (int p = parts.Length - 1; p >= 0; p--)
            {
                text = $"namespace {parts[p]}\n{{\n{Indent(text)}}}\n";
            }

            body.Append(text);
        }
        else
        {
            body.Append($"namespace {ns}\n{{\n{Indent(baseDeclaration + inner)}}}\n");
        }

        string source = header + "\n" + body;
        v.Sources.Add(source);

        if (secondPart)
        {
            string part = $"partial class {kernel.Name}\n{{\n" + string.Concat(secondPartMembers.Select(m => "    " + m + "\n")) + "}\n";
            if (isStatic)
            {
                part = "static " + part;
            }

            for (int d = depth - 1; d >= 0; d--)
            {
                part = $"{containers[d].Open}\n{{\n{Indent(part)}}}\n";
            }

            part = "using System;\n" + (ns is null ? part : $"namespace {ns}\n{{\n{Indent(part)}}}\n");
            v.Sources.Add(part);
            v.Notes.Add("member in a second file");
        }

        // A namespace spelled like a class: CS0101 in the input, never two files of one name.
        if (random.Next(40) == 0)
        {
            v.Sources.Add("using FixedShapeLoss;\nnamespace Clash { public partial class Outer { [LossKernel(Batch = 2, Classes = 2)] public static partial class Twin { } } }\n");
            v.Sources.Add("using FixedShapeLoss;\nnamespace Clash.Outer { [LossKernel(Batch = 2, Classes = 3)] public static partial class Twin { } }\n");
            v.CompilerError = true;
            v.Notes.Add("namespace and class of one name");
        }

        // What the generator must say, in the order it decides: the kind of declaration first (record, file-local),
        // then the attribute (nothing of ours where the compiler reports it), then everything else. Problems of a
        // containing type are reported once, whichever kernel finds them first.
        v.CompilerError |= attributeCompilerError;
        var expected = v.ExpectedFsl.ToList();
        var containerIds = expected.Where(id => id is "FSL004").ToList();
        containerIds.AddRange(Enumerable.Repeat("FSL005", v.Notes.Count(n => n == "generic containing type")));
        if (recordClass)
        {
            // The sibling finds the containing types' problems, or their 'file' keyword (another place).
            expected = new List<string> { "FSL011" };
            if (siblingKernel is not null)
            {
                expected.AddRange(fileLocal ? new[] { "FSL011" } : containerIds);
            }
        }
        else if (fileClass || fileLocal)
        {
            // A sibling in the same file-local type finds the same 'file' keyword: reported once.
            expected = new List<string> { "FSL011" };
        }
        else if (attributeCompilerError)
        {
            expected = new List<string>();
            if (siblingKernel is not null)
            {
                expected.AddRange(containerIds);
            }
        }

        v.ExpectedFsl = expected.OrderBy(id => id, StringComparer.Ordinal).ToList();
        if (v.ExpectedFsl.Count == 0 && !v.CompilerError)
        {
            v.Kernels.Add(kernel);
            if (siblingKernel is not null)
            {
                v.Kernels.Add(siblingKernel);
            }
        }

        // Token-level mutation.
        if (random.Next(12) == 0)
        {
            v.Sources[0] = MutateTokens(random, v.Sources[0], v.Version);
            v.TokenMutated = true;
        }

        return v;
    }

    private static int Number(LanguageVersion version) => version switch
    {
        LanguageVersion.CSharp7_3 => 7,
        LanguageVersion.CSharp8 => 8,
        LanguageVersion.CSharp9 => 9,
        LanguageVersion.CSharp10 => 10,
        LanguageVersion.CSharp11 => 11,
        _ => 12,
    };

    /// <summary>A constant expression of value <paramref name="value"/>, written one of many ways.</summary>
    private static string Expression(Random random, int value, int version)
    {
        string v = value.ToString(CultureInfo.InvariantCulture);
        return random.Next(10) switch
        {
            0 => $"{value - 1} + 1",
            1 => $"(int){v}L",
            2 => "0x" + value.ToString("X", CultureInfo.InvariantCulture),
            3 => $"checked({v} * 1)",
            4 when value > 0 && value % 2 == 0 => $"{value / 2} << 1",
            5 when version >= 7 && value >= 10 => v.Insert(1, "_"),
            6 => $"({v})",
            _ => v,
        };
    }

    private static string Indent(string text) =>
        string.Concat(text.Split('\n').Select((line, i) => line.Length == 0 ? (i == 0 ? string.Empty : "\n") : "    " + line + "\n")).TrimEnd(' ');

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>Deletes, duplicates or swaps one or two tokens.</summary>
    private static string MutateTokens(Random random, string source, LanguageVersion version)
    {
        var tokens = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(version)).GetRoot().DescendantTokens().ToList();
        if (tokens.Count < 3)
        {
            return source;
        }

        int i = random.Next(tokens.Count - 1);
        var a = tokens[i];
        var b = tokens[i + 1];
        string text = random.Next(3) switch
        {
            0 => source.Remove(a.Span.Start, a.Span.Length),
            1 => source.Insert(a.Span.End, " " + a.Text),
            _ => source.Substring(0, a.Span.Start) + b.Text + source.Substring(a.Span.End, b.Span.Start - a.Span.End) + a.Text + source.Substring(b.Span.End),
        };
        return text;
    }
}
