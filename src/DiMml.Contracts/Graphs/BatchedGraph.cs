using Google.Protobuf;
using Onnx;

namespace DiMml.Graphs;

/// <summary>
/// The batched graph (inputs <c>[N, F_m]</c>, outputs <c>[N, ·]</c>, unprefixed output names) of the per-row graph a saved
/// ML.NET model holds (inputs <c>[F_m]</c>, outputs prefixed with <see cref="DiMmlColumns.GraphOutputPrefix"/>). The exporter
/// writes the per-row graph as the batched one with an Unsqueeze after each input and a Squeeze before each output, so
/// those become identities and the shapes get their batch dimension back; every other node is the same.
/// </summary>
internal static class BatchedGraph
{
    private const string BatchDimension = "N";

    /// <summary>The batched graph of <paramref name="perRow"/>.</summary>
    /// <exception cref="InvalidDataException">The graph is not a per-row DI-MML export.</exception>
    public static byte[] FromPerRow(byte[] perRow)
    {
        var model = ModelProto.Parser.ParseFrom(perRow);
        var graph = model.Graph;
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var unsqueezed = RemoveAxis(graph, "Unsqueeze", node => inputs.Contains(node.Input[0]));
        var squeezed = RemoveAxis(graph, "Squeeze", node => outputs.Contains(node.Output[0]));
        if (unsqueezed != inputs.Count || squeezed != outputs.Count || graph.Input.Any(i => Dimensions(i).Count != 1))
        {
            throw new InvalidDataException("The model file's graph is not a per-row DI-MML export (an Unsqueeze after each input and a " +
                "Squeeze before each output); save the model again with this version of DiMml.MLNet.");
        }

        // The Unsqueeze/Squeeze axes are no longer read; ONNX Runtime would warn about each unused initializer.
        var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in graph.Initializer.Where(i => !read.Contains(i.Name)).ToArray())
        {
            graph.Initializer.Remove(unused);
        }

        foreach (var value in graph.Input.Concat(graph.Output))
        {
            Dimensions(value).Insert(0, new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        }

        var renamed = graph.Output.ToDictionary(o => o.Name, o => Unprefixed(o.Name), StringComparer.Ordinal);
        foreach (var output in graph.Output)
        {
            output.Name = renamed[output.Name];
        }

        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = renamed.GetValueOrDefault(node.Output[i], node.Output[i]);
            }
        }

        return model.ToByteArray();
    }

    // Turns the matching nodes into identities (dropping their axes input); returns how many there were.
    private static int RemoveAxis(GraphProto graph, string opType, Func<NodeProto, bool> matches)
    {
        var count = 0;
        foreach (var node in graph.Node.Where(n => n.OpType == opType && matches(n)))
        {
            node.OpType = "Identity";
            node.Attribute.Clear();
            while (node.Input.Count > 1)
            {
                node.Input.RemoveAt(1);
            }

            count++;
        }

        return count;
    }

    private static Google.Protobuf.Collections.RepeatedField<TensorShapeProto.Types.Dimension> Dimensions(ValueInfoProto value) =>
        value.Type.TensorType.Shape.Dim;

    private static string Unprefixed(string name) =>
        name.StartsWith(DiMmlColumns.GraphOutputPrefix, StringComparison.Ordinal) ? name[DiMmlColumns.GraphOutputPrefix.Length..] : name;
}
