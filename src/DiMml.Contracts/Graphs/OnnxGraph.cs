using Google.Protobuf;
using Onnx;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Graphs;

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

    /// <summary>
    /// A float vector input of <paramref name="width"/> values per row (<c>[width]</c> per row, or <c>[N, width]</c>),
    /// as <c>[N, width]</c> with NaN replaced by 0, and its availability <c>[N, 1]</c>: false where the row holds a NaN.
    /// </summary>
    public (string Clean, string Available) VectorInput(string name, long width, bool perRow)
    {
        string x;
        if (perRow)
        {
            Input(name, DataType.Float, width);
            x = Node("Unsqueeze", "row", [name, Int64s("axes", 0)]);
        }
        else
        {
            Input(name, DataType.Float, "N", width);
            x = name;
        }

        var isNan = Node("IsNaN", "is_nan", [x]);
        var anyNan = Node("ReduceMax", "any_nan", [Node("Cast", "nan_float", [isNan], ("to", (long)DataType.Float))],
            ("axes", new[] { 1L }), ("keepdims", 1L));
        var available = Node("Less", "available", [anyNan, Scalar("half", 0.5f)]);
        return (Node("Where", "clean", [isNan, Scalar("zero", 0f), x]), available);
    }

    /// <summary>Exposes <paramref name="value"/> <c>[N, width]</c> as output <paramref name="name"/>: <c>[width]</c> per row, or <c>[N,
    /// width]</c>.</summary>
    public void VectorOutput(string name, string value, DataType type, long width, bool perRow)
    {
        if (perRow)
        {
            Node("Squeeze", [value, Int64s("axes", 0)], [name]);
            Output(name, type, width);
        }
        else
        {
            Node("Identity", [value], [name]);
            Output(name, type, "N", width);
        }
    }

    public void Input(string name, DataType type, params object[] dims) => graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, DataType type, params object[] dims) => graph.Output.Add(ValueInfo(name, type, dims));

    public string Floats(string stem, float[] values, params long[] dims)
    {
        var tensor = new TensorProto
        {
            Name = Name(stem),
            DataType = (int)DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()))
        };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A rank-0 int64 constant (some operators, e.g. STFT's frame_step, want a scalar).</summary>
    public string Int64Scalar(string stem, long value)
    {
        var tensor = new TensorProto { Name = Name(stem), DataType = (int)DataType.Int64 };
        tensor.Int64Data.Add(value);
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
        string text => new AttributeProto { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(text) },
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
                : new TensorShapeProto.Types.Dimension
                {
                    DimValue = Convert.ToInt64(dim,
                    System.Globalization.CultureInfo.InvariantCulture)
                });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
