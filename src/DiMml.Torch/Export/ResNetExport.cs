using DiMml.Graphs;
using DiMml.Torch.Modules;
using DiMml.Torch.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Export;

/// <summary>
/// Writes a <see cref="ResNet18Encoder"/> as ONNX nodes: frames reshaped into the batch, convolutions with their
/// batch norms folded in (eval-mode statistics), max-pool, residual adds, global average pool, mean over frames.
/// </summary>
internal static class ResNetExport
{
    public static string Write(OnnxGraph g, ResNet18Encoder encoder, string input)
    {
        var shape = encoder.Shape;
        var frames = g.Node("Reshape", "frames", [input, g.Int64s("frame_shape", -1, shape.Channels, shape.Height, shape.Width)]);
        if (encoder.Normalization is { } normalization)
        {
            var mean = g.Floats("channel_mean", normalization.Mean.ToArray(), 1, shape.Channels, 1, 1);
            var std = g.Floats("channel_std", normalization.Std.ToArray(), 1, shape.Channels, 1, 1);
            frames = g.Node("Div", "normalized", [g.Node("Sub", "centred_frames", [frames, mean]), std]);
        }

        var x = g.Node("Relu", "stem_relu", [ConvNorm(g, encoder.Stem, frames)]);
        x = g.Node("MaxPool", "stem_pool", [x], ("kernel_shape", new[] { 3L, 3L }), ("strides", new[] { 2L, 2L }),
            ("pads", new[] { 1L, 1L, 1L, 1L }));
        foreach (var block in encoder.Blocks)
        {
            var inner = g.Node("Relu", "block_relu", [ConvNorm(g, block.First, x)]);
            inner = ConvNorm(g, block.Second, inner);
            var identity = block.Shortcut is { } shortcut ? ConvNorm(g, shortcut, x) : x;
            x = g.Node("Relu", "block_out", [g.Node("Add", "residual", [inner, identity])]);
        }

        var pooled = g.Node("GlobalAveragePool", "spatial_mean", [x]);
        var perFrame = g.Node("Reshape", "per_frame", [pooled, g.Int64s("pooled_shape", -1, shape.Frames, encoder.EmbeddingSize)]);
        return g.Node("ReduceMean", "frame_mean", [perFrame], ("axes", new[] { 1L }), ("keepdims", 0L));
    }

    // conv(x) followed by eval-mode batch norm equals one conv with W·s and bias β − μ·s, where s = γ / √(σ² + ε).
    private static string ConvNorm(OnnxGraph g, (Conv2d Conv, BatchNorm Norm) layer, string input)
    {
        var (conv, norm) = layer;
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        using var scalars = new ScalarScope();
        var scale = norm.weight! / norm.running_var!.add(scalars.Of(norm.eps), scalars.Of(1L)).sqrt();
        var weight = conv.weight! * scale.reshape(-1, 1, 1, 1);
        var bias = norm.bias! - norm.running_mean! * scale;
        if (conv.bias is not null)
        {
            bias = ScalarMath.Add(bias, conv.bias * scale);
        }

        var kernel = conv.kernel_size;
        var padding = conv.padding ?? throw new NotSupportedException("ONNX export needs explicit convolution padding.");
        return g.Node("Conv", "conv", [input, g.Weight("conv_weight", weight), g.Weight("conv_bias", bias)],
            ("kernel_shape", kernel),
            ("strides", conv.stride),
            ("pads", new[] { padding[0], padding[1], padding[0], padding[1] }));
    }
}
