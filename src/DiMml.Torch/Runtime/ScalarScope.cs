using TorchSharp;

namespace DiMml.Torch.Runtime;

/// <summary>
/// Owns the Scalars of a computation until it is disposed, so that none is finalised while libtorch reads it. TorchSharp frees
/// a Scalar's native handle in its finalizer, and a Scalar passed straight to a call (a number converted implicitly, or one
/// made inside TorchSharp, as <c>a + b</c>'s alpha or <c>arange(n)</c>'s start and step) is unreachable once its handle is
/// read; a GC during the call then frees it under the kernel (wrong numbers, "Expected false to be true" in toFloat, or heap
/// corruption). The build check DIMML001/DIMML002 (build/DiMml.Analyzers) rejects those forms in src/.
/// </summary>
internal sealed class ScalarScope : IDisposable
{
    private readonly List<Scalar> owned = [];

    // The one place a Scalar is made without a using declaration: this scope is its owner.
#pragma warning disable DIMML001

    /// <summary>A Scalar of <paramref name="value"/> that lives until the scope is disposed.</summary>
    public Scalar Of(double value) => Own(value.ToScalar());

    /// <summary>An integral Scalar of <paramref name="value"/> (what integer tensors need), alive until the scope is disposed.</summary>
    public Scalar Of(long value) => Own(value.ToScalar());

#pragma warning restore DIMML001

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var scalar in owned)
        {
            scalar.Dispose();
        }

        owned.Clear();
    }

    private Scalar Own(Scalar scalar)
    {
        owned.Add(scalar);
        return scalar;
    }
}
