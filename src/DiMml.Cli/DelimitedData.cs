using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Cli;

/// <summary>
/// Reads a delimited text file with a header: the label column as text and each modality as a float vector built
/// from a group of numeric columns (a numbered range such as <c>t0-t391</c>, a prefix such as <c>t*</c>, or a list).
/// </summary>
internal sealed partial class DelimitedData
{
    private readonly TextLoader loader;

    public DelimitedData(MLContext ml, string headerFile, char separator, string labelColumn,
        IReadOnlyList<(string Name, string Spec)> modalities)
    {
        if (!File.Exists(headerFile))
        {
            throw new CommandLineException($"File not found: {headerFile}");
        }

        var header = (File.ReadLines(headerFile).FirstOrDefault() ?? "").Split(separator).Select(h => h.Trim().Trim('"')).ToArray();
        var index = header.Select((name, i) => (name, i)).GroupBy(p => p.name).ToDictionary(g => g.Key, g => g.First().i);
        if (!index.TryGetValue(labelColumn, out var labelIndex))
        {
            throw new CommandLineException($"Label column '{labelColumn}' is not in the header of {headerFile} (columns: " +
                $"{Preview(header)}).");
        }

        if (modalities.Count == 0)
        {
            throw new CommandLineException("Give at least one --modality NAME=SPEC.");
        }

        Modalities = modalities.Select(m => (m.Name, Column: ColumnName(m.Name), Indices: Resolve(m.Spec, header, index, m.Name)))
            .ToArray();
        LabelColumn = labelColumn;
        var columns = new List<TextLoader.Column> { new("Label", DataKind.String, labelIndex) };
        columns.AddRange(Modalities.Select(m =>
            new TextLoader.Column(m.Column, DataKind.Single, m.Indices.Select(i => new TextLoader.Range(i)).ToArray())));
        loader = ml.Data.CreateTextLoader(columns.ToArray(), separatorChar: separator, hasHeader: true, allowQuoting: true);
    }

    /// <summary>The label column's header name (loaded as column <c>Label</c>).</summary>
    public string LabelColumn { get; }

    /// <summary>Each modality: its name, its vector column and the file columns it is built from.</summary>
    public IReadOnlyList<(string Name, string Column, int[] Indices)> Modalities { get; }

    public IDataView Load(string path) => File.Exists(path) ? loader.Load(path) : throw new CommandLineException($"File not found: {path}");

    /// <summary>The vector column that holds modality <paramref name="name"/>.</summary>
    public static string ColumnName(string name) => $"Modality.{name}";

    private static int[] Resolve(string spec, string[] header, Dictionary<string, int> index, string modality)
    {
        int[] indices;
        if (spec.EndsWith('*'))
        {
            var prefix = spec[..^1];
            indices = header.Select((h, i) => (h, i)).Where(p => p.h.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.i)
                .ToArray();
        }
        else if (RangePattern().Match(spec) is { Success: true } range && range.Groups["p1"].Value == range.Groups["p2"].Value)
        {
            var (first, last) = (int.Parse(range.Groups["a"].Value, CultureInfo.InvariantCulture),
                int.Parse(range.Groups["b"].Value, CultureInfo.InvariantCulture));
            indices = Enumerable.Range(first, last - first + 1)
                .Select(k => Lookup($"{range.Groups["p1"].Value}{k}", index, modality, header)).ToArray();
        }
        else
        {
            indices = spec.Split(',').Select(name => Lookup(name.Trim(), index, modality, header)).ToArray();
        }

        return indices.Length > 0 ? indices : throw new CommandLineException($"Modality '{modality}': '{spec}' matches no column " +
            $"(columns: {Preview(header)}).");
    }

    private static int Lookup(string name, Dictionary<string, int> index, string modality, string[] header) =>
        index.TryGetValue(name, out var i) ? i : throw new CommandLineException($"Modality '{modality}': column '{name}' is not in the " +
            $"header (columns: {Preview(header)}).");

    private static string Preview(string[] header) => string.Join(", ", header.Take(8)) + (header.Length > 8 ? $", ... ({header.Length} " +
        $"in all)" : "");

    [GeneratedRegex(@"^(?<p1>[^\d]*)(?<a>\d+)-(?<p2>[^\d]*)(?<b>\d+)$")]
    private static partial Regex RangePattern();
}
