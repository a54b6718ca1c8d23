using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Losses;

/// <summary>
/// Tensor-by-number products and quotients that keep their Scalar alive across the native call. TorchSharp 0.107's operators
/// convert a double to a temporary Scalar whose handle can be finalised by a GC during the call ("Unknown scalar type" in
/// div, seen under the test suite's load); every such operation in a training step goes through here.
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
}
