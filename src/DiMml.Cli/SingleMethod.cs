using System.Globalization;
using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Cli;

/// <summary><c>dimml train</c> and <c>dimml predict</c>: one method, saved as an ML.NET model zip; predictions as CSV.</summary>
internal static class SingleMethod
{
    public static int Train(CommandLine line)
    {
        var ml = new MLContext(seed: 0);
        var budget = Budget.From(line);
        var separator = Comparison.Separator(line);
        var trainPath = line.Required("--train");
        var data = new DelimitedData(ml, trainPath, separator, line.Required("--label"), line.Modalities);
        var train = data.Load(trainPath);
        var method = Methods.ByName(ml, data, budget, line.Required("--method"), (_, r) => Console.WriteLine($"  {r.Stage} epoch " +
            $"{r.Epoch + 1}: loss {r.Losses[TermNames.Total]:F4}"));
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(method.Estimator()).Fit(train);
        var path = line.Required("--model");
        ml.Model.Save(model, train.Schema, path);
        Console.WriteLine($"Saved {method.Name} to {path}");
        (model as IDisposable)?.Dispose();
        return 0;
    }

    public static int Predict(CommandLine line)
    {
        var ml = new MLContext(seed: 0);
        var input = line.Required("--input");
        var data = new DelimitedData(ml, input, Comparison.Separator(line), line.Optional("--label") ?? FirstColumn(input),
            line.Modalities);
        var model = ml.Model.Load(line.Required("--model"), out _);
        var transformed = model.Transform(data.Load(input));
        var scored = ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", DiMmlColumns.PredictedLabel).Fit(transformed)
            .Transform(transformed);
        var labels = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabelValue").Select(v => v.ToString()).ToArray();
        var scores = scored.GetColumn<float[]>(DiMmlColumns.Score).ToArray();
        var output = line.Required("--output");
        File.WriteAllLines(output,
            labels.Select((label, i) =>
                label + "," + string.Join(",", scores[i].Select(s => s.ToString("R", CultureInfo.InvariantCulture))))
            .Prepend("PredictedLabel,"
                + string.Join(",", Enumerable.Range(0, scores.FirstOrDefault()?.Length ?? 0).Select(c => $"Score{c}"))));
        Console.WriteLine($"Wrote {labels.Length} predictions to {output}");
        (model as IDisposable)?.Dispose();
        return 0;
    }

    // predict needs some column to load as the (unused) label when the file has none named.
    private static string FirstColumn(string path) => (File.ReadLines(path).FirstOrDefault() ?? "").Split(',')[0];
}
