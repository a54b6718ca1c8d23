using System.Globalization;
using System.Text;

namespace DiMml.Examples;

/// <summary>
/// Writes two-view Fashion-MNIST as delimited text for <c>dimml compare</c>: a header <c>Label,t0..t391,b0..b391</c>
/// (top and bottom image halves, pixels in [0, 1]) and one row per image, as train.csv and test.csv.
/// </summary>
internal static class CsvExport
{
    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var output = Directory.CreateDirectory(args.OutputFolder ?? "fashion-mnist-csv").FullName;
        foreach (var (split, file) in new[] { ("train", "train.csv"), ("t10k", "test.csv") })
        {
            var rows = TwoViewFashionMnist.Rows(folder, split, split == "train" ? args.MaxRows : null);
            using var writer = new StreamWriter(Path.Combine(output, file), false, new UTF8Encoding(false));
            writer.WriteLine("Label," + string.Join(",", Enumerable.Range(0, FashionRow.HalfSize).Select(i => $"t{i}")) + "," +
                string.Join(",", Enumerable.Range(0, FashionRow.HalfSize).Select(i => $"b{i}")));
            foreach (var row in rows)
            {
                writer.WriteLine($"\"{row.Label}\","
                    + string.Join(",", row.Top.Concat(row.Bottom).Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))));
            }

            Console.WriteLine($"Wrote {rows.Length} rows to {Path.Combine(output, file)}");
        }

        return 0;
    }
}
