using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Runs a CPU convolution with fewer than <see cref="SafeOutputChannels"/> output channels as a convolution with that
/// many, the extra filters all zero, and keeps the real channels.
/// </summary>
/// <remarks>
/// libtorch's oneDNN backward-data kernels return wrong input gradients (off by O(1), Inf or NaN with more than one
/// thread) when a convolution has fewer output channels than their SIMD channel block: 16 floats with the AVX-512
/// kernels, 8 with the AVX2 ones; forward values and weight gradients are right (measured on an AMD EPYC with AVX-512,
/// libtorch 2.10; float64 takes another path and is right). Padding only the output side is enough and costs little,
/// because the narrow layers are the cheap ones; it changes no parameter, so state dicts and ONNX export are as before.
/// The padded filters are not parameters, so they stay zero and receive no update.
/// </remarks>
internal static class NarrowConvolution
{
    /// <summary>The widest SIMD channel block of libtorch's CPU kernels (AVX-512: 16 floats).</summary>
    public const int SafeOutputChannels = 16;

    /// <summary>The convolution of <paramref name="input"/> by <paramref name="convolution"/>, with correct gradients
    /// on every CPU.</summary>
    public static Tensor Forward(Conv2d convolution, Tensor input)
    {
        var weight = convolution.weight!;
        var outChannels = weight.shape[0];
        if (outChannels >= SafeOutputChannels || !input.requires_grad || input.device_type != DeviceType.CPU)
        {
            return convolution.forward(input);
        }

        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, SafeOutputChannels - outChannels]);
        var output = nn.functional.conv2d(input, padded, null, convolution.stride, convolution.padding, convolution.dilation, convolution.groups);
        return output.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
