using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Torch.Export;

/// <summary>
/// A small builder over the ONNX protobuf messages: unique value names, initialisers from tensors or arrays,
/// and nodes with int / float / ints attributes. Only what the exporters need.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto graph = new() { Name = "dimml" };
    private readonly HashSet<string> used = [];
    private readonly Dictionary<string, int> nextSuffix = [];
    private readonly Dictionary<string, string> constants = [];

    /// <summary>Opset the graphs target: supported by ONNX Runtime 1.31 and ML.NET's OnnxTransformer.</summary>
    public const int Opset = 17;

    /// <summary>Keeps <paramref name="name"/> (a graph input or output) from being handed out by <see cref="Name"/>.</summary>
    public void Reserve(string name) => used.Add(name);

    /// <summary>A fresh value name starting with <paramref name="stem"/>.</summary>
    public string Name(string stem)
    {
        var next = nextSuffix.GetValueOrDefault(stem);
        var name = next == 0 ? stem : $"{stem}_{next}";
        while (!used.Add(name))
        {
            name = $"{stem}_{++next}";
        }

        nextSuffix[stem] = next + 1;
        return name;
    }

    public void Input(string name, DataType type, params object[] dims) => graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, DataType type, params object[] dims) => graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a float initialiser holding a copy of <paramref name="value"/> (moved to the CPU).</summary>
    public string Weight(string stem, Tensor value)
    {
        using var cpu = value.detach().to(ScalarType.Float32).cpu().contiguous();
        return Floats(stem, cpu.data<float>().ToArray(), cpu.shape);
    }

    public string Floats(string stem, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Name(stem), DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float constant shaped [1] (so it broadcasts), added once per distinct value.</summary>
    public string Scalar(string stem, float value)
    {
        var key = $"f:{BitConverter.SingleToInt32Bits(value)}";
        if (!constants.TryGetValue(key, out var name))
        {
            constants[key] = name = Floats(stem, [value], 1);
        }

        return name;
    }

    /// <summary>An int64 vector constant, added once per distinct content.</summary>
    public string Int64s(string stem, params long[] values)
    {
        var key = "i:" + string.Join(",", values);
        if (!constants.TryGetValue(key, out var name))
        {
            var tensor = new TensorProto { Name = Name(stem), DataType = (int)DataType.Int64 };
            tensor.Dims.Add(values.Length);
            tensor.Int64Data.AddRange(values);
            graph.Initializer.Add(tensor);
            constants[key] = name = tensor.Name;
        }

        return name;
    }

    /// <summary>Adds a node with one output named after <paramref name="stem"/>; returns that name.</summary>
    public string Node(string op, string stem, IEnumerable<string> inputs, params (string Name, object Value)[] attributes) =>
        Node(op, inputs, [Name(stem)], attributes)[0];

    /// <summary>Adds a node with the given outputs; returns them.</summary>
    public string[] Node(string op, IEnumerable<string> inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Name($"{op}_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in attributes)
        {
            node.Attribute.Add(Attribute(name, value));
        }

        graph.Node.Add(node);
        return outputs;
    }

    /// <summary>The serialised model with the given metadata (ModelProto.metadata_props).</summary>
    public byte[] ToModel(string producer, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = producer, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        int i => new AttributeProto { Name = name, Type = AttributeType.Int, I = i },
        long l => new AttributeProto { Name = name, Type = AttributeType.Int, I = l },
        float f => new AttributeProto { Name = name, Type = AttributeType.Float, F = f },
        long[] ints => WithInts(new AttributeProto { Name = name, Type = AttributeType.Ints }, ints),
        _ => throw new ArgumentException($"Unsupported ONNX attribute value {value.GetType().Name} for {name}."),
    };

    private static AttributeProto WithInts(AttributeProto attribute, long[] values)
    {
        attribute.Ints.AddRange(values);
        return attribute;
    }

    // A dim is a long (fixed size) or a string (symbolic, e.g. the batch dimension "N").
    private static ValueInfoProto ValueInfo(string name, DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
