using DiMml.Graphs;
using static TorchSharp.torch;

namespace DiMml.Torch.Export;

/// <summary>Writes TorchSharp parameters into an <see cref="OnnxGraph"/>.</summary>
internal static class OnnxGraphExtensions
{
    /// <summary>Adds a float initialiser holding a copy of <paramref name="value"/> (moved to the CPU).</summary>
    public static string Weight(this OnnxGraph graph, string stem, Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float32).cpu().contiguous();
        return graph.Floats(stem, cpu.data<float>().ToArray(), cpu.shape);
    }

}
