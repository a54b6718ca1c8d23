using System.Text.Json;

namespace DiMml.AspNetCore;

/// <summary>
/// Reads a JSON prediction request against the served model's card: either one row, <c>{"field": [numbers], ...}</c>, or
/// several, <c>{"rows": [row, ...]}</c>. Each row has a vector per modality, under the modality's field (its input column)
/// or its name; an absent or null modality is missing for that row (scored as NaN, as the model treats missing inputs).
/// Every problem is reported with the path of the field at fault.
/// </summary>
internal static class PredictRequest
{
    /// <summary>The request's rows as one row-major array per input column.</summary>
    /// <exception cref="BadRequestException">The request does not match the model; the message names the field.</exception>
    public static (float[][] Inputs, int Rows) Read(JsonElement root, ModelCard card, int maxRows)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException($"The body must be a JSON object: one row ({Fields(card)}) or {{\"rows\": [row, ...]}}.");
        }

        var many = root.TryGetProperty("rows", out var list) && !card.Modalities.Any(m => m.Field == "rows" || m.Name == "rows");
        if (many && list.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("'rows' must be an array of rows.");
        }

        var rows = many ? list.GetArrayLength() : 1;
        if (rows == 0 || rows > maxRows)
        {
            throw new BadRequestException($"'rows' has {rows} rows; send 1 to {maxRows}.");
        }

        var inputs = card.Modalities.Select(m => new float[rows * m.Size]).ToArray();
        var index = 0;
        foreach (var row in many ? list.EnumerateArray() : Enumerable.Repeat(root, 1))
        {
            ReadRow(row, many ? $"rows[{index}]" : "", card, inputs, index);
            index++;
        }

        return (inputs, rows);
    }

    private static void ReadRow(JsonElement row, string path, ModelCard card, float[][] inputs, int index)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException($"{Name(path, "")}: a row must be a JSON object with {Fields(card)}.");
        }

        var seen = new bool[card.Modalities.Count];
        foreach (var property in row.EnumerateObject())
        {
            var field = FieldName(property, path);
            var m = Modality(card, field);
            if (m < 0)
            {
                throw new BadRequestException($"{Name(path, field)}: this model has no modality '{field}'; it reads " +
                    $"{Fields(card)}.");
            }

            seen[m] = true;
            ReadVector(property.Value, Name(path, field), card.Modalities[m].Size, inputs[m].AsSpan(index * card.Modalities[m].Size,
                card.Modalities[m].Size));
        }

        for (var m = 0; m < seen.Length; m++)
        {
            if (!seen[m])
            {
                inputs[m].AsSpan(index * card.Modalities[m].Size, card.Modalities[m].Size).Fill(float.NaN);
            }
        }
    }

    private static void ReadVector(JsonElement value, string name, int size, Span<float> target)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            target.Fill(float.NaN);
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException($"{name}: expected an array of {size} numbers (or null for a missing modality), got " +
                $"{value.ValueKind.ToString().ToLowerInvariant()}.");
        }

        var length = value.GetArrayLength();
        if (length != size)
        {
            throw new BadRequestException($"{name}: {length} numbers; this model needs {size}.");
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out var number) || !float.IsFinite(number))
            {
                throw new BadRequestException($"{name}[{i}]: not a finite number ({Shown(item)}).");
            }

            target[i++] = number;
        }
    }

    // JsonDocument checks UTF-8 only when text is read, and then throws InvalidOperationException; a body that is not UTF-8
    // is the client's mistake, so it is a 400 naming where, never a 500.
    private static string FieldName(JsonProperty property, string path)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw new BadRequestException($"{Name(path, "")}: a field name is not valid UTF-8; send the body as UTF-8 JSON.");
        }
    }

    private static string Shown(JsonElement item)
    {
        try
        {
            return item.GetRawText();
        }
        catch (InvalidOperationException)
        {
            return "a string that is not valid UTF-8";
        }
    }

    private static int Modality(ModelCard card, string key)
    {
        for (var m = 0; m < card.Modalities.Count; m++)
        {
            if (card.Modalities[m].Field == key || card.Modalities[m].Name == key)
            {
                return m;
            }
        }

        return -1;
    }

    private static string Name(string path, string field) =>
        path.Length == 0 ? (field.Length == 0 ? "the row" : field) : field.Length == 0 ? path : $"{path}.{field}";

    private static string Fields(ModelCard card) =>
        string.Join(", ", card.Modalities.Select(m => $"\"{m.Field}\": [{m.Size} numbers]"));
}
