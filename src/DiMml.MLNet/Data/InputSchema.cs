using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Data;

/// <summary>Checks the label and modality columns before anything is trained, with messages that name the column and the fix.</summary>
internal static class InputSchema
{
    /// <summary>Checks a <see cref="SchemaShape"/> (no sizes or class counts are known yet).</summary>
    public static void Check(SchemaShape schema, string labelColumn, IReadOnlyList<string> modalityColumns)
    {
        var label = Find(schema, labelColumn, "label");
        if (!label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
        {
            throw NotKey(labelColumn, label.ItemType);
        }

        foreach (var name in modalityColumns)
        {
            var column = Find(schema, name, "modality");
            if (column.Kind != SchemaShape.Column.VectorKind.Vector || !Equals(column.ItemType, NumberDataViewType.Single))
            {
                throw NotFloatVector(name, $"{column.Kind} of {column.ItemType}");
            }
        }
    }

    /// <summary>Checks a <see cref="DataViewSchema"/>; returns the class count and each modality's vector size.</summary>
    public static (int Classes, int[] Sizes) Check(DataViewSchema schema, string labelColumn, IReadOnlyList<string> modalityColumns)
    {
        var label = schema.GetColumnOrNull(labelColumn) ?? throw Missing(labelColumn, "label", schema.Select(c => c.Name));
        if (label.Type is not KeyDataViewType key)
        {
            throw NotKey(labelColumn, label.Type);
        }

        var sizes = modalityColumns.Select(name =>
        {
            var column = schema.GetColumnOrNull(name) ?? throw Missing(name, "modality", schema.Select(c => c.Name));
            return column.Type is VectorDataViewType { IsKnownSize: true } vector && vector.ItemType == NumberDataViewType.Single
                ? vector.Size
                : throw NotFloatVector(name, column.Type.ToString() ?? "unknown");
        }).ToArray();
        return (ClassCount(labelColumn, key), sizes);
    }

    /// <summary>Checks the example-weight column, when one is named: a numeric scalar (Single or Double).</summary>
    public static void CheckWeight(DataViewSchema schema, string? weightColumn)
    {
        if (weightColumn is null)
        {
            return;
        }

        var column = schema.GetColumnOrNull(weightColumn) ?? throw Missing(weightColumn, "example weight", schema.Select(c => c.Name));
        if (column.Type != NumberDataViewType.Single && column.Type != NumberDataViewType.Double)
        {
            throw NotWeight(weightColumn, column.Type.ToString() ?? "unknown");
        }
    }

    /// <summary>Checks the example-weight column of a <see cref="SchemaShape"/>, when one is named.</summary>
    public static void CheckWeight(SchemaShape schema, string? weightColumn)
    {
        if (weightColumn is null)
        {
            return;
        }

        var column = Find(schema, weightColumn, "example weight");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar
            || !(Equals(column.ItemType, NumberDataViewType.Single) || Equals(column.ItemType, NumberDataViewType.Double)))
        {
            throw NotWeight(weightColumn, $"{column.Kind} of {column.ItemType}");
        }
    }

    /// <summary>The number of rows of <paramref name="data"/>: known, or counted with one cursor pass over no columns, checking
    /// <paramref name="cancellation"/> every 256 rows.</summary>
    public static long RowCount(IDataView data, CancellationToken cancellation = default)
    {
        if (data.GetRowCount() is { } known)
        {
            return known;
        }

        using var cursor = data.GetRowCursor([]);
        long rows = 0;
        while (cursor.MoveNext())
        {
            if ((++rows & 255) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }

        return rows;
    }

    /// <summary>Throws when <paramref name="data"/> has no rows at all, before any column check can blame the label's
    /// key type (a key fitted on no rows has no classes).</summary>
    public static void RequireRows(IDataView data, string role)
    {
        if (data.GetRowCount() is > 0)
        {
            return;
        }

        using var cursor = data.GetRowCursor([]);
        if (!cursor.MoveNext())
        {
            throw new ArgumentException(
                $"The {role} data has no rows. Check the loader's path and any filter earlier in the pipeline.", nameof(data));
        }
    }

    private static SchemaShape.Column Find(SchemaShape schema, string name, string role) =>
        schema.FirstOrDefault(c => c.Name == name) is { Name: not null } column ? column
            : throw Missing(name, role, schema.Select(c => c.Name));

    private static int ClassCount(string labelColumn, KeyDataViewType key) => key.Count switch
    {
        < 2 => throw new ArgumentException(
            $"Label column '{labelColumn}' has {key.Count} class(es); DI-MML needs at least 2. Check the data (one class only?) or the " +
                $"MapValueToKey step.", labelColumn),
        > int.MaxValue => throw new ArgumentException($"Label column '{labelColumn}' has too many classes ({key.Count}).", labelColumn),
        _ => (int)key.Count,
    };

    private static ArgumentException Missing(string name, string role, IEnumerable<string> available) => new(
        $"The {role} column '{name}' is not in the data. Available columns: {string.Join(", ", available.Distinct())}. " +
        $"Fix the column name in the options, or create the column earlier in the pipeline.", name);

    private static ArgumentException NotKey(string name, DataViewType type) => new(
        $"Label column '{name}' must be a key type, but it is {type}. Add mlContext.Transforms.Conversion.MapValueToKey(\"{name}\") " +
            $"before the trainer.", name);

    private static ArgumentException NotWeight(string name, string type) => new(
        $"Example weight column '{name}' must be a Single or Double scalar, but it is {type}. Convert it with " +
            $"ConvertType(\"{name}\", outputKind: DataKind.Single), or fix ExampleWeightColumnName.", name);

    private static ArgumentException NotFloatVector(string name, string type) => new(
        $"Modality column '{name}' must be a known-size vector of Single (float), but it is {type}. " +
        $"Use Concatenate to build a vector, ConvertType(..., DataKind.Single) for other numbers, or declare the vector size when loading.",
            name);
}
