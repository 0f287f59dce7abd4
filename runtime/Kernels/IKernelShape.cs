using System.ComponentModel;

namespace FixedShapeLoss;

/// <summary>
/// A kernel's shape as a type: the generated code declares one small struct per kernel that implements this
/// interface, and passes it as the type argument of the shared helpers (<see cref="KernelMath.CrossEntropySum{TShape}(System.ReadOnlySpan{float}, System.ReadOnlySpan{int}, int)"/>).
/// The JIT compiles a generic method once per struct type argument, so inside it <see cref="Batch"/> and
/// <see cref="Classes"/> are constants: index vectors and masks fold, branches on the shape disappear, with no
/// need to inline the whole helper into the generated method. Not meant to be implemented by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IKernelShape
{
    /// <summary>Rows of the kernel's matrices.</summary>
    static abstract int Batch { get; }

    /// <summary>Columns of the kernel's matrices.</summary>
    static abstract int Classes { get; }
}
