using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace FixedShapeLoss.Tests;

/// <summary>
/// Runs the xUnit tests compiled into this program (the Kernels and Torch folders of FixedShapeLoss.Tests) without a
/// test host, so that a self-contained linux-arm64 build can run them under <c>qemu-aarch64</c>, where
/// <c>dotnet test</c> cannot. Every public <c>[Fact]</c> and every row of every <c>[Theory]</c> data attribute
/// (InlineData, MemberData) runs once, one at a time, on a fresh instance of its class (constructed with an
/// <see cref="ITestOutputHelper"/> where it asks for one, disposed after); a skipped fact is counted as skipped.
/// Prints the machine's ISA first, one line per failure (with the test's output and the exception), and closes with
/// "arm64: N passed, N failed, N skipped" (the process architecture first). Exits 1 when a test failed or none ran.
/// Arguments: substrings of "Class.Method" to run only the matching tests; <c>--list</c> prints the tests.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        bool list = args.Contains("--list");
        string[] filters = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}, process {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"ISA: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}, "
            + $"AdvSimd {AdvSimd.IsSupported}, AdvSimd.Arm64 {AdvSimd.Arm64.IsSupported}, Avx512F {Avx512F.IsSupported}, Avx2 {Avx2.IsSupported}, Fma {Fma.IsSupported}");

        int passed = 0, failed = 0, skipped = 0;
        var total = Stopwatch.StartNew();
        foreach (Type type in typeof(Program).Assembly.GetTypes().Where(t => t.IsClass && (t.IsPublic || t.IsNestedPublic) && !t.IsAbstract).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var classTime = Stopwatch.StartNew();
            int classTests = 0;
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).OrderBy(m => m.MetadataToken))
            {
                FactAttribute? fact = method.GetCustomAttribute<FactAttribute>();
                string name = type.Name + "." + method.Name;
                if (fact is null || (filters.Length > 0 && !filters.Any(f => name.Contains(f, StringComparison.Ordinal))))
                {
                    continue;
                }

                if (fact.Skip is not null)
                {
                    skipped++;
                    Console.WriteLine($"SKIP {name}: {fact.Skip}");
                    continue;
                }

                List<(object?[] Row, string? Skip)> rows;
                try
                {
                    rows = Rows(method, fact);
                }
                catch (Exception e)
                {
                    // A data source that throws (or yields no rows) is a failed test, as in xUnit.
                    failed++;
                    Console.WriteLine($"FAIL {name}: its data rows");
                    Console.WriteLine(e.ToString());
                    continue;
                }

                foreach ((object?[] row, string? skip) in rows)
                {
                    string display = row.Length == 0 ? name : $"{name}({string.Join(", ", row.Select(Show))})";
                    classTests++;
                    if (list)
                    {
                        Console.WriteLine(display);
                        continue;
                    }

                    if (skip is not null)
                    {
                        skipped++;
                        Console.WriteLine($"SKIP {display}: {skip}");
                        continue;
                    }

                    var output = new Output();
                    Exception? error = await Run(type, method, row, output);
                    if (error is null)
                    {
                        passed++;
                    }
                    else
                    {
                        failed++;
                        Console.WriteLine($"FAIL {display}");
                        if (output.Text.Length > 0)
                        {
                            Console.WriteLine(output.Text.TrimEnd());
                        }

                        Console.WriteLine(error.ToString());
                    }
                }
            }

            if (classTests > 0 && !list)
            {
                Console.WriteLine($"{type.Name}: {classTests} tests, {classTime.Elapsed.TotalSeconds:F1} s");
            }
        }

        if (list)
        {
            return 0;
        }

        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}: {passed} passed, {failed} failed, {skipped} skipped");
        return failed > 0 || passed == 0 ? 1 : 0;
    }

    /// <summary>The argument rows of a test: one empty row for a fact, every data attribute's rows for a theory (with
    /// the attribute's Skip reason, if any).</summary>
    private static List<(object?[] Row, string? Skip)> Rows(MethodInfo method, FactAttribute fact)
    {
        if (fact is not TheoryAttribute)
        {
            return new() { (Array.Empty<object?>(), null) };
        }

        var rows = method.GetCustomAttributes<DataAttribute>()
            .SelectMany(d => d.GetData(method).Select(r => ((object?[])r, (string?)d.Skip)))
            .ToList();
        if (rows.Count == 0)
        {
            throw new InvalidOperationException($"Theory {method.DeclaringType!.Name}.{method.Name} has no data rows.");
        }

        return rows;
    }

    private static async Task<Exception?> Run(Type type, MethodInfo method, object?[] row, Output output)
    {
        object? instance = null;
        try
        {
            if (!method.IsStatic)
            {
                ConstructorInfo constructor = type.GetConstructors().Single();
                instance = constructor.Invoke(constructor.GetParameters()
                    .Select(p => p.ParameterType == typeof(ITestOutputHelper) ? output : throw new NotSupportedException($"{type.Name}: constructor parameter {p.ParameterType}"))
                    .ToArray<object?>());
            }

            object? result = method.Invoke(instance, Arguments(method, row));
            if (result is Task task)
            {
                await task;
            }

            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return e.InnerException;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    /// <summary>A data row converted to the parameter types as xUnit does for the simple cases (numeric widening,
    /// a generic method's type arguments are not supported).</summary>
    private static object?[] Arguments(MethodInfo method, object?[] row)
    {
        ParameterInfo[] parameters = method.GetParameters();
        if (parameters.Length != row.Length)
        {
            throw new InvalidOperationException($"{method.Name}: {row.Length} arguments for {parameters.Length} parameters.");
        }

        var arguments = new object?[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            Type target = Nullable.GetUnderlyingType(parameters[i].ParameterType) ?? parameters[i].ParameterType;
            arguments[i] = row[i] is null || target.IsInstanceOfType(row[i]) ? row[i] : Convert.ChangeType(row[i], target, CultureInfo.InvariantCulture);
        }

        return arguments;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        Array a => "[" + string.Join(", ", a.Cast<object?>().Select(Show)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private sealed class Output : ITestOutputHelper
    {
        private readonly StringBuilder _text = new();

        public string Text => _text.ToString();

        public void WriteLine(string message) => _text.AppendLine(message);

        public void WriteLine(string format, params object[] args) => _text.AppendLine(string.Format(CultureInfo.InvariantCulture, format, args));
    }
}
