using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Graphs;

/// <summary>A per-row ONNX graph that keeps the first values of a vector: how a pipeline step gives a fixed-size column the
/// exact size it needs (the video decoding's power-of-two tiers, cut to the clip's size).</summary>
internal static class PrefixOnnxExport
{
    /// <summary>The graph from input <paramref name="inputName"/> [<paramref name="inputSize"/>] to output
    /// <paramref name="outputName"/> [<paramref name="outputSize"/>].</summary>
    public static byte[] ToBytes(int inputSize, int outputSize, string inputName, string outputName)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputSize, inputSize);
        var g = new OnnxGraph();
        g.Reserve(inputName);
        g.Reserve(outputName);
        g.Input(inputName, DataType.Float, inputSize);
        var prefix = g.Node("Slice", "prefix", [inputName, g.Int64s("starts", 0), g.Int64s("ends", outputSize), g.Int64s("axes", 0)]);
        g.Node("Identity", [prefix], [outputName]);
        g.Output(outputName, DataType.Float, outputSize);
        return g.ToModel("DiMml.Torch", new Dictionary<string, string>());
    }
}
