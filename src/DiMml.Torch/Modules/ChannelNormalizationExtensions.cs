using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>Applies a <see cref="ChannelNormalization"/> to image planes inside an encoder.</summary>
internal static class ChannelNormalizationExtensions
{
    /// <summary>Normalises <paramref name="planes"/> <c>[N, C, H, W]</c>.</summary>
    public static Tensor Apply(this ChannelNormalization normalization, Tensor planes)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(normalization.Mean.ToArray(), dtype: planes.dtype, device: planes.device).reshape(1, -1, 1, 1);
        var std = tensor(normalization.Std.ToArray(), dtype: planes.dtype, device: planes.device).reshape(1, -1, 1, 1);
        return ((planes - mean) / std).MoveToOuterDisposeScope();
    }
}
