using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Scoring;

/// <summary>
/// The Label column's key values, in key order, as a typed array: what PredictedLabel's key type must carry so
/// that MapKeyToValue gives back the user's original labels.
/// </summary>
internal sealed class LabelValues
{
    private const string KeyValuesKind = "KeyValues";

    private LabelValues(Type valueType, Array values)
    {
        ValueType = valueType;
        Values = values;
    }

    /// <summary>CLR type of a value (<see cref="string"/> for text labels).</summary>
    public Type ValueType { get; }

    /// <summary>One value per class, in key order.</summary>
    public Array Values { get; }

    /// <summary>The values as display strings (class names).</summary>
    public string[] Names =>
        Values.Cast<object>().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();

    /// <summary>Reads the key values of a key-typed label column; without them the 1-based key numbers stand in.</summary>
    public static LabelValues FromSchema(DataViewSchema.Column label, int classCount)
    {
        var annotation = label.Annotations.Schema.GetColumnOrNull(KeyValuesKind);
        if (annotation is not { Type: VectorDataViewType { ItemType: var itemType } })
        {
            return KeyNumbers(classCount);
        }

        if (itemType is TextDataViewType)
        {
            var text = default(VBuffer<ReadOnlyMemory<char>>);
            label.Annotations.GetValue(KeyValuesKind, ref text);
            return new LabelValues(typeof(string), text.DenseValues().Select(v => v.ToString()).ToArray());
        }

        var read = typeof(LabelValues)
            .GetMethod(nameof(ReadPrimitive), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(itemType.RawType);
        return new LabelValues(itemType.RawType, (Array)read.Invoke(null, [label])!);
    }

    /// <summary>Stand-in values of the label's key-value type, for output schemas computed before any data is seen.</summary>
    public static LabelValues Placeholder(SchemaShape.Column label, int classCount)
    {
        var annotation = label.Annotations.FirstOrDefault(c => c.Name == KeyValuesKind);
        if (annotation.Name is null)
        {
            return KeyNumbers(classCount);
        }

        var type = annotation.ItemType is TextDataViewType ? typeof(string) : annotation.ItemType.RawType;
        var values = Array.CreateInstance(type, classCount);
        for (var i = 0; i < classCount; i++)
        {
            values.SetValue(type == typeof(bool) ? i % 2 == 1
                : Convert.ChangeType(i, type, System.Globalization.CultureInfo.InvariantCulture), i);
        }

        return new LabelValues(type, values);
    }

    /// <summary>A MapValue estimator from <paramref name="keys"/> (one per class) to these values, typed as a key.</summary>
    public IEstimator<ITransformer> MapToKey(TransformsCatalog transforms, string outputColumn, string inputColumn, uint[] keys)
    {
        var method = typeof(LabelValues)
            .GetMethod(nameof(MapToKeyTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(ValueType);
        return (IEstimator<ITransformer>)method.Invoke(null, [transforms, outputColumn, inputColumn, keys, Values])!;
    }

    private static IEstimator<ITransformer> MapToKeyTyped<T>(TransformsCatalog transforms, string outputColumn, string inputColumn,
        uint[] keys, Array values) =>
        transforms.Conversion.MapValue(
            outputColumn, keys.Select((key, i) => new KeyValuePair<uint, T>(key, (T)values.GetValue(i)!)), inputColumn,
                treatValuesAsKeyType: true);

    private static T[] ReadPrimitive<T>(DataViewSchema.Column label)
    {
        var buffer = default(VBuffer<T>);
        label.Annotations.GetValue(KeyValuesKind, ref buffer);
        return buffer.DenseValues().ToArray();
    }

    /// <summary>Key numbers 1..C, for classes without names: MapValue treats UInt32 values as the keys themselves.</summary>
    public static LabelValues KeyNumbers(int classCount) =>
        new(typeof(uint), Enumerable.Range(1, classCount).Select(i => (uint)i).ToArray());
}
