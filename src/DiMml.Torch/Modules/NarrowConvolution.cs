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
/// kernels, 8 with the AVX2 ones. Single-layer float32-against-float64 checks on an AMD EPYC (AVX-512, libtorch 2.10)
/// found the forward values and the weight gradients of the same layers right, and input gradients right from 16
/// output channels on, whatever the input channels; the gradient-parity tests hold whole networks to that. Padding
/// changes no parameter, so state dicts and ONNX export are as before; the padded filters are not parameters, so they
/// stay zero and receive no update. The narrow layers do up to 16 / C times their work (measured cost in the speed
/// suite: 10-30 % of a training step at embedding size 32; nothing at 128, which has no narrow layer).
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
        if (outChannels >= SafeOutputChannels || convolution.groups != 1 || !input.requires_grad || input.device_type != DeviceType.CPU)
        {
            return convolution.forward(input);
        }

        using var scope = NewDisposeScope();
        var extra = SafeOutputChannels - outChannels;
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, extra]);
        var paddedBias = convolution.bias is { } bias ? nn.functional.pad(bias, [0, extra]) : null;
        var output = nn.functional.conv2d(input, paddedWeight, paddedBias, convolution.stride, convolution.padding, convolution.dilation);
        return output.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
