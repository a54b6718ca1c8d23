using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Runtime;

/// <summary>
/// One-off tensor operations that keep their Scalars alive across the native call, for the forms TorchSharp 0.107 gives a
/// temporary Scalar that a GC can finalise during the call: tensor-by-number products and quotients ("Unknown scalar type"
/// in div, seen under the test suite's load), <c>a + b</c> and <c>add_</c> (alpha = 1 made inside), <c>arange(n)</c> (start
/// and step made inside). See <see cref="ScalarScope"/> for expressions with several numbers.
/// </summary>
internal static class ScalarMath
{
    /// <summary><paramref name="tensor"/> · <paramref name="factor"/>.</summary>
    public static Tensor Multiply(Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> / <paramref name="divisor"/>.</summary>
    public static Tensor Divide(Tensor tensor, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="value"/>.</summary>
    public static Tensor Add(Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        using var one = 1L.ToScalar();
        return tensor.add(scalar, one);
    }

    /// <summary><paramref name="left"/> + <paramref name="right"/>.</summary>
    public static Tensor Add(Tensor left, Tensor right)
    {
        using var one = 1L.ToScalar();
        return left.add(right, one);
    }

    /// <summary>Adds <paramref name="other"/> to <paramref name="target"/> in place and returns it.</summary>
    public static Tensor AddInPlace(Tensor target, Tensor other)
    {
        using var one = 1L.ToScalar();
        return target.add_(other, one);
    }

    /// <summary><c>0, 1, …, count − 1</c> (int64).</summary>
    public static Tensor Range(long count, Device? device = null)
    {
        using var start = 0L.ToScalar();
        using var stop = count.ToScalar();
        using var step = 1L.ToScalar();
        return arange(start, stop, step, ScalarType.Int64, device);
    }
}
